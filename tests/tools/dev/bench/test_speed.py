"""The speed benchmark's parts: a worker times a task in its process, the report names the machine."""

import json

from PIL import Image

from aecodec.tools.dev.bench import speed as benchmark_speed
from aecodec.tools.dev.bench import speed_worker


def test_a_worker_times_its_task(tmp_path, make_image, capsys):
    path = tmp_path / "small.png"
    Image.fromarray(make_image(32, 48)).save(path)
    for task in ("aecodec-decode", "exact-onnxruntime", "gs-onnxruntime-subpixel-all"):
        speed_worker.main([task, str(path), "--repeats", "2"])
        record = json.loads(capsys.readouterr().out)
        assert record["task"] == task and len(record["seconds"]) == 2 and min(record["seconds"]) > 0
        assert "onnxruntime" in record["versions"]


def test_new_processes_report_time_and_memory(tmp_path, make_image):
    path = tmp_path / "small.png"
    Image.fromarray(make_image(32, 48)).save(path)
    commands = benchmark_speed.command_lines(path, tmp_path)
    seconds, rss = benchmark_speed.timed_process(commands["aecodec compress"])
    assert seconds > 0 and rss > 10
    assert (tmp_path / "x.aec").stat().st_size > 0


def test_the_report_names_the_machine_and_every_row():
    record = {"image": "k.png", "size": "8x8", "quality": 50, "rounds": 1, "repeats": 1, "threads": None,
              "machine": {"processor": "CPU X", "cores": 2, "system": "Linux", "python": "3.11"},
              "bytes": {"aec": 10}, "encoders": [],
              "results": [{"task": "aecodec-decode", "environment": "NumPy 2.4", "seconds": [0.2, 0.3], "rss_mb": [],
                           "versions": {"numpy": "2.4"}, "median": 0.25},
                          {"task": "aecodec decompress", "environment": "new process", "seconds": [0.9], "rss_mb": [80.0],
                           "versions": {}, "median": 0.9}]}
    text = benchmark_speed.markdown(record)
    assert "CPU X" in text and "| aecodec-decode | NumPy 2.4 | 0.250 | 0.200 |" in text
    assert "| aecodec decompress | 0.900 | 0.900 | 80 |" in text
