"""Front-end nodes pinned to f32 stay recognised as pinned after an IR round trip, so weight
compression of a model read from disk (every stage after the front-end's) leaves them alone."""

from __future__ import annotations

from pathlib import Path


def test_pinned_frontend_nodes_survive_save_and_read(tmp_path: Path):
    import openvino as ov

    from ovbuild.frontends.audio_graph import build_audio_frontend
    from ovbuild.precision.compile_map import pinned_in_graph, resolve

    frontend = build_audio_frontend({"features": "whisper_log_mel", "n_mels": 80}, 16000)
    ov.save_model(frontend, str(tmp_path / "fe.xml"), compress_to_fp16=False)
    read = ov.Core().read_model(str(tmp_path / "fe.xml"))
    matmuls = [n for n in read.get_ordered_ops() if n.get_type_name() == "MatMul"]
    assert matmuls and all(pinned_in_graph(n) for n in matmuls)
    node_map = resolve(read, "int4_weights", [])
    assert {node_map.precision[n.get_friendly_name()] for n in matmuls} == {"fp32"}
