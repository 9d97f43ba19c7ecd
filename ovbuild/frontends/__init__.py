"""Front-ends compiled into the model graph."""
