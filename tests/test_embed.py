import numpy as np

from newsprism.embed import embed_articles
from newsprism.models import Analysis, Article, Span


class CountingEncoder:
    """A tiny deterministic encoder that records what it was asked to encode."""

    def __init__(self, dim):
        self.name, self.dim, self.seen = "fake", dim, []

    def encode(self, texts):
        self.seen.extend(texts)
        out = np.array([[len(t) % 7 + 1.0, t.count("a") + 1.0] + [0.0] * (self.dim - 2) for t in texts],
                       dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _pair(aid, sentences, title):
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        spans.append(Span(pos, pos + len(s), s))
        pos += len(s) + 1
    return Article(id=aid, origin=aid, text=text, raw=text, title=title), Analysis(aid, "en", tuple(spans))


def test_rows_follow_sentences_and_repeats_are_encoded_once():
    a = _pair("a", ["The port reopened.", "Ships are waiting."], "Port reopens")
    b = _pair("b", ["The port reopened.", "Talks go on."], "")
    mono, multi = CountingEncoder(4), CountingEncoder(6)
    va, vb = embed_articles([a[0], b[0]], [a[1], b[1]], encoder=mono, multilingual=multi)
    assert mono.seen.count("The port reopened.") == 1
    assert va.sentences.shape == (2, 4) and vb.ml_sentences.shape == (2, 6)
    assert np.allclose(va.sentences[0], vb.sentences[0])
    assert not np.allclose(va.sentences[1], vb.sentences[1])
    assert abs(float(np.linalg.norm(va.doc)) - 1.0) < 1e-5


def test_sentence_cache_skips_sentences_of_earlier_batches_and_stays_bounded():
    from newsprism.embed import SentenceCache

    a = _pair("a", ["The port reopened.", "Ships are waiting."], "Port reopens")
    b = _pair("b", ["The port reopened.", "Talks go on."], "Port reopens")
    c = _pair("c", ["A new sentence here.", "Another one."], "Other")
    mono, multi = CountingEncoder(4), CountingEncoder(6)
    cache = SentenceCache(max_items=4)
    [va] = embed_articles([a[0]], [a[1]], encoder=mono, multilingual=multi, cache=cache)
    [vb] = embed_articles([b[0]], [b[1]], encoder=mono, multilingual=multi, cache=cache)
    assert mono.seen.count("The port reopened.") == 1 and multi.seen.count("Port reopens") == 1
    assert mono.seen.count("Talks go on.") == 1 and cache.hits == 2
    plain = embed_articles([b[0]], [b[1]], encoder=CountingEncoder(4), multilingual=CountingEncoder(6))[0]
    for got, want in [(vb.sentences, plain.sentences), (vb.ml_sentences, plain.ml_sentences),
                      (vb.doc, plain.doc), (vb.ml_doc, plain.ml_doc)]:
        assert np.allclose(got, want)  # cached rows are the rows the encoder gives
    embed_articles([c[0]], [c[1]], encoder=mono, multilingual=multi, cache=cache)
    assert len(cache) == 4 and cache.get("Ships are waiting.") is None  # least recently used went first
    assert cache.get("Another one.") is not None


def test_device_choice_is_checked_before_any_model_loads(tmp_path):
    import pytest
    import torch
    from typer.testing import CliRunner

    from newsprism.cli import app
    from newsprism.embed import BATCH_SIZE, MiniLMEncoder, pick_device
    from newsprism.errors import ConfigError

    gpu = torch.cuda.is_available()
    assert pick_device("auto") == ("cuda" if gpu else "cpu")
    assert pick_device("CPU") == "cpu"
    with pytest.raises(ConfigError, match="expected auto, cpu"):
        pick_device("tpu")
    assert MiniLMEncoder(model=object()).batch_size == BATCH_SIZE["cpu"]
    assert MiniLMEncoder(model=object(), device="cuda:1").batch_size == BATCH_SIZE["cuda"]
    if gpu:
        return
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        pick_device("cuda")
    (tmp_path / "a.txt").write_text("Title\n\nSome body text here.\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(tmp_path / "a.txt"), "--db", str(tmp_path / "s.db"),
                                   "--out", str(tmp_path / "out"), "--device", "cuda", "-q"])
    assert res.exit_code == 2 and "no CUDA GPU" in res.output


def test_precision_auto_takes_bf16_only_where_the_cpu_has_bf16_units(monkeypatch, tmp_path):
    import pytest
    import torch
    from typer.testing import CliRunner

    from newsprism.cli import app
    from newsprism.embed import pick_precision
    from newsprism.errors import ConfigError

    for amx, avx in ((True, False), (False, True), (False, False)):
        monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda v=amx: v)
        monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda v=avx: v)
        assert pick_precision("cpu") == ("bf16" if amx or avx else "fp32")
        assert pick_precision("cpu", "FP32") == "fp32" and pick_precision("cpu", "bf16") == "bf16"
        # a long-lived process (watch, the server) stays at float32 unless bf16 is asked for
        assert pick_precision("cpu", long_lived=True) == "fp32"
        assert pick_precision("cpu", "bf16", long_lived=True) == "bf16"
    assert pick_precision("cuda:0") == "fp32"  # a GPU is not measured here: float32 stays
    with pytest.raises(ConfigError, match="expected auto, fp32 or bf16"):
        pick_precision("cpu", "fp16")
    (tmp_path / "a.txt").write_text("Title\n\nSome body text here.\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(tmp_path / "a.txt"), "--db", str(tmp_path / "s.db"),
                                   "--out", str(tmp_path / "out"), "--precision", "fp16", "-q"])
    assert res.exit_code == 2 and "--precision fp16" in res.output


def test_bf16_sentence_vectors_stay_close_to_fp32():
    """bfloat16 keeps relate's cosines within a few thousandths of float32's."""
    import numpy as np

    from newsprism.embed import MiniLMEncoder

    sentences = ["Dockworkers walked out at the port on Monday, halting container traffic.",
                 "The strike closed the harbour as unions demanded higher wages.",
                 "Heavy rain flooded several streets in the city centre overnight.",
                 "Officials said talks would resume on Thursday."]
    fp32 = MiniLMEncoder(precision="fp32")
    bf16 = MiniLMEncoder(model=fp32._model, precision="bf16")
    a, b = fp32.encode(sentences), bf16.encode(sentences)
    assert b.dtype == np.float32 and b.shape == a.shape
    assert float((a * b).sum(axis=1).min()) > 0.999
    assert np.abs(a @ a.T - b @ b.T).max() < 0.01
    assert not np.array_equal(a, b)  # really computed in bfloat16
