"""Training the entity model: heads over LAC's states, a CRF per layer, exported for onnxruntime.

The model reads one layer of LAC's network as `kg_lac` keeps it at run time
(so LAC's own pass is shared, and LAC's words and tags stay exactly LAC's),
plus two features per character: LAC's word position and tag, and the rules'
proposed names (`kg.nlp.tagger.rule_features`). Above that: BiGRUs, either
copies of LAC's own layers above the one read (`lac_init`, initialised with
LAC's pretrained weights) or one new BiGRU (`hidden`), one linear layer, and
a CRF for each layer of names (`data/layers.tsv`). Training is pretraining on
CLUENER2020, then fine-tuning on annotated articles with CLUENER sentences
mixed in (as many characters as the articles have, drawn afresh each epoch)
so that general news is not forgotten.

The default settings are the measured choice (benchmarks/entities.py, 5-fold CV by
article over the 70 shared articles; graph headline / other F1 on the 56 train
articles, in mode "replace"; CLUENER dev exact-span F1 government / company /
organization / name of the pretrained model; the analysis of the 70 articles with
the model, as a share of its speed without), all with 10 fine-tuning epochs:
- (a) LAC's embedding read, copies of both LAC GRUs fine-tuned: 0.649 / 0.801;
  0.770 / 0.732 / 0.726 / 0.796; 55%.
- (c) LAC's first GRU read, a copy of its second fine-tuned: 0.639 / 0.802;
  0.746 / 0.733 / 0.688 / 0.798; 65%.
- (b) LAC's second GRU read, a new BiGRU 64: 0.617 / 0.786; 0.734 / 0.678 / 0.629 /
  0.766; 72–82%. BiGRU 32: 0.634 / 0.766, 79%; no BiGRU: 0.590 / 0.792.
The rules alone score 0.685 / 0.814 there. The graph scores differ by less than
the folds do, so the cheapest head that keeps CLUENER's figures near (a)'s was
taken, (b) with BiGRU 64; 20 fine-tuning epochs rather than 10 raise it to
0.634 / 0.807 (the titles layer learns from the articles alone).

Everything is seeded and torch runs deterministically on a fixed number of
threads: the same data, settings and versions give the same model bytes.
Torch is needed here only (`pip install kg-ip[train]`); `export` writes the
heads as a plain ONNX graph that `kg.nlp.tagger` runs with onnxruntime.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy
import torch

from kg.learn import lac_port
from kg.learn.corpus import Annotated
from kg.learn.examples import (
    RULE_TYPES,
    Sentence,
    Text,
    feature_pipeline,
    from_cluener,
    from_gold,
    read_mapping,
)
from kg.learn.export import export
from kg.learn.spans import read_layers
from kg.nlp.spans import Mention
from kg.nlp.tagger import (
    EDGES,
    IMPOSSIBLE,
    EntityModel,
    allowed_transitions,
    names_of,
    tag_names,
    viterbi,
)

LAC_ABOVE = {"embedding": [0, 1], "gru1": [1], "gru2": []}  # LAC's GRUs above each layer kg_lac can keep


@dataclass(frozen=True)
class Settings:
    lac_layer: str = "gru2"  # the LAC states the heads read
    lac_init: bool = False  # BiGRUs: copies of LAC's layers above lac_layer, with LAC's weights
    hidden: int = 64  # else one new BiGRU of this width (0: the linear layer reads the states directly)
    tag_width: int = 16  # embedding width of LAC's word position and tag (0: not a feature)
    rules: bool = True  # the rules' proposals as features
    dropout: float = 0.2
    lr: float = 2e-3
    batch: int = 32
    pretrain_epochs: int = 3
    finetune_epochs: int = 20
    seed: int = 13
    threads: int = 1


# -- the network ---------------------------------------------------------------------
class CRF(torch.nn.Module):
    """A linear-chain CRF over one layer's BIO tags; forbidden transitions score IMPOSSIBLE."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        k = len(tags)
        move, begin, end = allowed_transitions(tags)
        self.transitions = torch.nn.Parameter(torch.zeros(k, k))
        self.start = torch.nn.Parameter(torch.zeros(k))
        self.end = torch.nn.Parameter(torch.zeros(k))
        for name, allowed in (("move", move), ("begin", begin), ("finish", end)):
            self.register_buffer(name, torch.from_numpy(numpy.where(allowed, 0.0, IMPOSSIBLE).astype("float32")))

    def log_partition(self, scores: torch.Tensor, lengths: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """log Σ exp(path score) over the paths through `allowed` tags ([B, T, K] bool), per sequence."""
        closed = torch.finfo(scores.dtype).min / 2
        scores = scores.masked_fill(~allowed, closed)
        transitions = self.transitions + self.move
        alpha = scores[:, 0] + self.start + self.begin
        for t in range(1, scores.shape[1]):
            step = torch.logsumexp(alpha[:, :, None] + transitions, dim=1) + scores[:, t]
            alpha = torch.where((t < lengths)[:, None], step, alpha)
        return torch.logsumexp(alpha + self.end + self.finish, dim=1)

    def loss(self, scores: torch.Tensor, gold: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Negative log-likelihood of the gold tags (-1: any tag) per sequence."""
        k = scores.shape[2]
        any_tag = torch.ones(scores.shape, dtype=torch.bool)
        allowed = torch.where((gold >= 0)[:, :, None], torch.nn.functional.one_hot(gold.clamp(min=0), k).bool(), any_tag)
        return self.log_partition(scores, lengths, any_tag) - self.log_partition(scores, lengths, allowed)

    def table(self) -> dict[str, list]:
        """The learnt scores as meta.json keeps them (forbidden ones are reapplied at load)."""
        return {"transitions": self.transitions.detach().numpy().tolist(),
                "start": self.start.detach().numpy().tolist(), "end": self.end.detach().numpy().tolist()}


def widened(gru: torch.nn.GRU, extra: int) -> torch.nn.GRU:
    """`gru` taking `extra` more inputs, whose weights start at zero: at first it computes what `gru` did."""
    if not extra:
        return gru
    out = torch.nn.GRU(gru.input_size + extra, gru.hidden_size, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for name, value in gru.named_parameters():
            target = getattr(out, name)
            target.copy_(torch.cat([value, torch.zeros(value.shape[0], extra)], 1) if name.startswith("weight_ih") else value)
    return out


class Heads(torch.nn.Module):
    def __init__(self, settings: Settings, width: int, n_tags: int, layers: dict[str, list[str]]) -> None:
        super().__init__()
        self.settings = settings
        self.tag_embedding = torch.nn.Embedding(n_tags, settings.tag_width) if settings.tag_width else None
        extra = settings.tag_width + (len(RULE_TYPES) * len(EDGES) if settings.rules else 0)
        grus = []
        if settings.lac_init:
            weights = lac_port.lac_weights()
            grus = [lac_port.gru_from_onnx(*(weights[n] for n in lac_port.GRUS[i])) for i in LAC_ABOVE[settings.lac_layer]]
            if grus:
                grus[0] = widened(grus[0], extra)
        if not grus and settings.hidden:
            grus = [torch.nn.GRU(width + extra, settings.hidden, batch_first=True, bidirectional=True)]
        self.grus = torch.nn.ModuleList(grus)
        self.tags = {name: tag_names(types) for name, types in layers.items()}
        out = 2 * grus[-1].hidden_size if grus else width + extra
        self.output = torch.nn.Linear(out, sum(len(t) for t in self.tags.values()))
        self.crfs = torch.nn.ModuleDict({name: CRF(tags) for name, tags in self.tags.items()})
        self.dropout = torch.nn.Dropout(settings.dropout)

    def forward(self, states: torch.Tensor, tags: torch.Tensor, rules: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Tag scores of every layer [B, T, Σ K] for padded sentences."""
        parts = [states]
        if self.tag_embedding is not None:
            parts.append(self.tag_embedding(tags))
        if self.settings.rules:
            parts.append(rules)
        x = self.dropout(torch.cat(parts, 2))
        for gru in self.grus:
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            x, _ = gru(packed)
            x, _ = torch.nn.utils.rnn.pad_packed_sequence(x, batch_first=True, total_length=states.shape[1])
            x = self.dropout(x)
        return self.output(x)

    def layer_scores(self, scores: torch.Tensor) -> Iterable[tuple[str, torch.Tensor]]:
        column = 0
        for name, tags in self.tags.items():
            yield name, scores[:, :, column:column + len(tags)]
            column += len(tags)


# -- batches ---------------------------------------------------------------------------
@dataclass
class Batch:
    states: torch.Tensor
    tags: torch.Tensor
    rules: torch.Tensor
    lengths: torch.Tensor
    gold: dict[str, tuple[torch.Tensor, torch.Tensor]]  # layer → (rows taught, their gold ids)


def batch_of(sentences: Sequence[Sentence], tag_ids: dict[str, int]) -> Batch:
    lengths = torch.tensor([len(s.states) for s in sentences])
    b, t = len(sentences), int(lengths.max())
    states = torch.zeros(b, t, sentences[0].states.shape[1])
    tags = torch.zeros(b, t, dtype=torch.long)
    rules = torch.zeros(b, t, sentences[0].rules.shape[1])
    gold_rows: dict[str, list[int]] = {}
    gold_ids: dict[str, list[numpy.ndarray]] = {}
    for i, s in enumerate(sentences):
        n = len(s.states)
        states[i, :n] = torch.from_numpy(s.states)
        tags[i, :n] = torch.tensor([tag_ids.get(x, 0) for x in s.tags])
        rules[i, :n] = torch.from_numpy(s.rules)
        for layer, ids in s.gold.items():
            gold_rows.setdefault(layer, []).append(i)
            gold_ids.setdefault(layer, []).append(numpy.pad(ids, (0, t - n)))
    gold = {layer: (torch.tensor(rows), torch.from_numpy(numpy.stack(gold_ids[layer]))) for layer, rows in gold_rows.items()}
    return Batch(states, tags, rules, lengths, gold)


def batches(sentences: Sequence[Sentence], size: int, rng: random.Random) -> list[list[Sentence]]:
    """Shuffled batches of sentences of similar length (sorted within pools of 50 batches)."""
    order = list(sentences)
    rng.shuffle(order)
    out = []
    pool = 50 * size
    for i in range(0, len(order), pool):
        chunk = sorted(order[i:i + pool], key=lambda s: len(s.states))
        out += [chunk[j:j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


# -- training --------------------------------------------------------------------------
class Trainer:
    """A model with its optimiser, trained epoch by epoch on lists of sentences."""

    def __init__(self, settings: Settings, width: int, tag_vocab: list[str], layers: dict[str, list[str]]) -> None:
        torch.manual_seed(settings.seed)
        self.settings = settings
        self.layers = layers
        self.tag_vocab = tag_vocab
        self.tag_ids = {t: i for i, t in enumerate(tag_vocab)}
        self.model = Heads(settings, width, len(tag_vocab), layers)
        self.optimiser = torch.optim.Adam(self.model.parameters(), lr=settings.lr)
        self.rng = random.Random(settings.seed)
        self.on_epoch: Callable[[], None] | None = None  # called after each epoch (a progress display)

    def epoch(self, sentences: Sequence[Sentence]) -> float:
        """One pass over `sentences`; the mean loss per sentence and layer taught."""
        self.model.train()
        total, count = 0.0, 0
        for group in batches(sentences, self.settings.batch, self.rng):
            batch = batch_of(group, self.tag_ids)
            scores = self.model(batch.states, batch.tags, batch.rules, batch.lengths)
            losses = []
            for layer, part in self.model.layer_scores(scores):
                if layer in batch.gold:
                    rows, gold = batch.gold[layer]
                    losses.append(self.model.crfs[layer].loss(part[rows], gold, batch.lengths[rows]))
            loss = torch.cat(losses).mean()
            self.optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
            self.optimiser.step()
            total += loss.item() * len(group)
            count += len(group)
        if self.on_epoch:
            self.on_epoch()
        return total / max(count, 1)

    def predict(self, texts: Sequence[Text], layers: Iterable[str] | None = None) -> dict[str, list[Mention]]:
        """Each text's names as the model tags them in `layers` (all by default), decoded as kg.nlp.tagger does."""
        wanted = set(self.layers if layers is None else layers)
        self.model.eval()
        tables = {name: [x.detach().numpy() for x in (crf.transitions + crf.move, crf.start + crf.begin, crf.end + crf.finish)]
                  for name, crf in self.model.crfs.items()}
        out = {}
        with torch.no_grad():
            for text in texts:
                names = []
                for i in range(0, len(text.sentences), 64):
                    group = text.sentences[i:i + 64]
                    batch = batch_of(group, self.tag_ids)
                    scores = self.model(batch.states, batch.tags, batch.rules, batch.lengths)
                    for layer, part in self.model.layer_scores(scores):
                        if layer not in wanted:
                            continue
                        tags = self.model.tags[layer]
                        paths = viterbi(part.numpy(), batch.lengths.numpy(), *tables[layer])
                        for s, path in zip(group, paths):
                            names += names_of([tags[j] for j in path[:len(s.states)]], s.start)
                out[text.source] = sorted(set(names))
        return out


def fine_tune_mix(gold: Sequence[Sentence], general: Sequence[Sentence], rng: random.Random) -> list[Sentence]:
    """The gold sentences and as many characters' worth of general sentences, drawn afresh."""
    chars = sum(len(s.states) for s in gold)
    drawn, n = [], 0
    for s in rng.sample(list(general), len(general)):
        if n >= chars:
            break
        drawn.append(s)
        n += len(s.states)
    return list(gold) + drawn


def vocabulary(texts: Iterable[Text]) -> list[str]:
    """LAC's tags seen in training, after "" (index 0, any tag not seen)."""
    return [""] + sorted({t for text in texts for s in text.sentences for t in s.tags} - {""})


def counts(predicted: dict[str, list[Mention]], texts: Iterable[Text]) -> Counter:
    """(type, "tp" | "sys" | "gold") → count, exact spans."""
    c: Counter = Counter()
    for text in texts:
        gold, found = set(text.names), set(predicted.get(text.source, []))
        for n in gold:
            c[n.label, "gold"] += 1
        for n in found:
            c[n.label, "sys"] += 1
            c[n.label, "tp"] += n in gold
    return c


# -- the whole recipe --------------------------------------------------------------------
def encode(annotated: Sequence[Annotated], cluener: Path | None, settings: Settings,
           limit: int | None = None) -> tuple[list[Text], list[Text]]:
    """The articles' and CLUENER train's texts, with the features of `settings.lac_layer`."""
    nlp = feature_pipeline(settings.lac_layer)
    layers = read_layers()
    gold = list(from_gold(annotated, nlp, layers))
    general = list(from_cluener(cluener / "train.json", nlp, layers, read_mapping(), limit)) if cluener else []
    return gold, general


def new_trainer(texts: Sequence[Text], settings: Settings) -> Trainer:
    """An untrained model for the features of `texts`, with torch set to run deterministically."""
    torch.set_num_threads(settings.threads)
    torch.use_deterministic_algorithms(True)
    width = texts[0].sentences[0].states.shape[1]
    return Trainer(settings, width, vocabulary(texts), read_layers())


def pretrain(trainer: Trainer, general: Sequence[Text]) -> Trainer:
    """`trainer` after `pretrain_epochs` epochs on the general (CLUENER) sentences."""
    sentences = [s for t in general for s in t.sentences]
    for _ in range(trainer.settings.pretrain_epochs if sentences else 0):
        trainer.epoch(sentences)
    return trainer


def fine_tune(trainer: Trainer, gold: Sequence[Text], general: Sequence[Text]) -> Trainer:
    """`trainer` after `finetune_epochs` epochs on the articles with general sentences mixed in."""
    gold_sentences = [s for t in gold for s in t.sentences]
    general_sentences = [s for t in general for s in t.sentences]
    for _ in range(trainer.settings.finetune_epochs):
        trainer.epoch(fine_tune_mix(gold_sentences, general_sentences, trainer.rng))
    return trainer


def epochs(settings: Settings, cluener: Path | None) -> int:
    """How many epochs `train_entities` runs (for a progress display)."""
    return settings.finetune_epochs + (settings.pretrain_epochs if cluener else 0)


def train_entities(annotated: Sequence[Annotated], cluener: Path | None, out_dir: Path, seed: int = 13,
                   settings: Settings | None = None, limit: int | None = None,
                   on_epoch: Callable[[], None] | None = None) -> EntityModel:
    """Train the entity model on annotated articles (and CLUENER2020 in `cluener`, if given); save it to `out_dir`.

    `limit` reads only the first records of CLUENER (for quick checks); `on_epoch` is
    called after each epoch. Returns the saved model as kg_tagger loads it.
    """
    settings = settings or Settings()
    settings = Settings(**{**asdict(settings), "seed": seed})
    gold, general = encode(annotated, cluener, settings, limit)
    trainer = new_trainer(gold + general, settings)
    trainer.on_epoch = on_epoch
    trainer = fine_tune(pretrain(trainer, general), gold, general)
    summary = {"articles": len(gold), "article_chars": sum(len(s.states) for t in gold for s in t.sentences),
               "cluener_records": len(general)}
    export(trainer, Path(out_dir), summary)
    return EntityModel(Path(out_dir))
