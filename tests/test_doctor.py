"""doctor: a JSON-serializable report of this machine and a readable rendering of it."""

from __future__ import annotations

import json

from ovbuild.doctor import OPTIONAL_LIBRARIES, doctor_report, format_doctor


def test_doctor_report_structure():
    import openvino as ov

    report = doctor_report()
    json.dumps(report)  # machine-readable as is
    assert report["openvino"] == ov.get_version()
    assert "CPU" in report["devices"]
    cpu = report["devices"]["CPU"]
    assert cpu["FULL_DEVICE_NAME"] and isinstance(cpu["OPTIMIZATION_CAPABILITIES"], list)
    assert "FP32" in cpu["OPTIMIZATION_CAPABILITIES"]
    assert report["cpu_inference_precision"] in ("f32", "bf16", "f16")
    assert set(report["libraries"]) == {label for label, *_ in OPTIONAL_LIBRARIES}
    for lib in report["libraries"].values():
        assert not lib["present"] or lib["version"]
    # This venv has the whole stack installed.
    assert report["libraries"]["torch"]["present"] and report["libraries"]["optimum-intel"]["present"]
    assert set(report["fallbacks"]) >= {"device", "text_frontend", "audio", "sweep_launchers"}


def test_doctor_explains_missing_gpu():
    report = doctor_report()
    if not any(d.startswith("GPU") for d in report["devices"]):
        assert "GPU" in report["unavailable_devices"]
        assert "CPU" in report["fallbacks"]["device"]


def test_format_doctor_mentions_everything():
    report = doctor_report()
    text = format_doctor(report)
    assert report["openvino"] in text
    for dev in report["devices"]:
        assert dev in text
    for label in report["libraries"]:
        assert label in text
    assert "default inference precision" in text and "audio" in text


def test_doctor_survives_missing_libraries(monkeypatch):
    import ovbuild.doctor as doctor

    monkeypatch.setattr(
        doctor,
        "OPTIONAL_LIBRARIES",
        doctor.OPTIONAL_LIBRARIES + [("nope", "no-such-dist", "no_such_mod", "x")],
    )
    report = doctor.doctor_report()
    assert report["libraries"]["nope"] == {"present": False, "version": None, "enables": "x"}
    assert "absent" in doctor.format_doctor(report)
