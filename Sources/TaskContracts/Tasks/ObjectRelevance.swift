import Foundation
import WindowAlign

extension TaskID {
    /// Task 7, object relevance: the set of caption objects in the window.
    public static let objectRelevance = TaskID(declaring: "object_relevance", ObjectRelevance())
}

/// Task 7: the multi-hot union of the caption objects over the window's frames, from the
/// sensors. Strict canonicalises the free-form names first (``ObjectNames``), since the
/// vocabulary has synonyms (spec §7, 10).
struct ObjectRelevance: SuiteTask {
    let card = TaskCard(displayName: "Object Relevance Prediction", kind: .multiLabel, primaryMetric: "micro_f1",
                        referenceInput: "all non-caption modalities -> current relevant object set",
                        neuralHead: MultiLabelScoring.neuralHead, published: (0.1803, 0.1679))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .noText
        c.targetDescription = c.suiteProtocol == .reference ? "multi-hot union of caption objects over the window's frames (first-seen vocabulary)"
            : "multi-hot union of canonicalised caption objects over the window's frames"
        c.metrics = MultiLabelScoring.metrics
        c.artifacts = MultiLabelScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        guard b.episodes.allSatisfy({ $0.frames.objects.contains { !$0.isEmpty } }) else {
            throw b.notApplicable("no caption objects in at least one episode")
        }
        var samples: [Sample] = [], sets: [[String]] = []
        for (ei, ep) in b.episodes.enumerated() {
            for (i, win) in ep.windows.enumerated() {
                var set: [String] = []
                for f in win.frames where f < ep.frames.objects.count {
                    for o in ep.frames.objects[f] {
                        let name = b.strict ? ObjectNames.canonical(o) : o
                        if !name.isEmpty && !set.contains(name) { set.append(name) }
                    }
                }
                samples.append(b.sample(ei, i)); sets.append(set)
            }
        }
        return TaskDraft(samples: samples, targets: .multiHot(sets), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try MultiLabelScoring.score(s)
    }
}

/// The object-name canonicalisation of the strict protocol: lower-case, trimmed, inner
/// whitespace collapsed, a leading article dropped, then the synonym map.
public enum ObjectNames {
    /// Synonyms merged by the strict protocol (documented in Docs/tasks/object_relevance.md).
    public static let synonyms: [String: String] = [
        "digital scale": "scale", "coffee scale": "scale", "weighing scale": "scale", "kitchen scale": "scale",
        "electric kettle": "kettle", "water kettle": "kettle",
        "gooseneck kettle": "gooseneck kettle", "pour-over kettle": "gooseneck kettle", "pour over kettle": "gooseneck kettle",
        "coffee carafe": "carafe", "glass carafe": "carafe", "coffee server": "carafe",
        "coffee dripper": "dripper", "pour-over dripper": "dripper", "pour over dripper": "dripper",
        "coffee filter": "filter", "paper filter": "filter",
        "coffee cup": "cup", "mug": "cup", "coffee mug": "cup",
        "coffee scoop": "scoop", "measuring scoop": "scoop", "spoon": "scoop",
        "milk bottle": "bottle", "white bottle": "bottle", "plastic bottle": "bottle",
        "bottle cap": "cap", "lid": "cap",
        "table": "table", "countertop": "table", "counter": "table",
        "coffee grounds": "coffee", "ground coffee": "coffee", "coffee powder": "coffee",
    ]

    /// The canonical form of one object name.
    public static func canonical(_ name: String) -> String {
        var s = name.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for article in ["the ", "a ", "an "] where s.hasPrefix(article) { s.removeFirst(article.count) }
        return synonyms[s] ?? s
    }
}
