import WindowAlign

extension TaskID {
    /// The data-quality findings that make this task not applicable to an episode: any error,
    /// an absent dataset, or a caption without segments, on the frame timeline, on a modality
    /// the task's targets are built from, or on the file as a whole. Warnings about values
    /// (masked rows, drift) do not block: the task runs on what is valid.
    public func blockingFindings(in findings: [DataFinding]) -> [DataFinding] {
        let needs = targetModalities.union([EpisodeModality.timeline])
        return findings.filter { finding in
            if let modality = finding.modality, !needs.contains(modality) { return false }
            return finding.severity == .error || finding.check == .missingDataset || finding.check == .captionNoSegments
        }
    }

    /// The first blocking finding when the data of every one of `episodes` blocks this task
    /// (the task is then not applicable), nil when at least one episode can serve it.
    public func blockedEverywhere(_ episodes: [SuiteEpisode]) -> DataFinding? {
        let blocking = episodes.map { blockingFindings(in: $0.dataFindings) }
        guard !blocking.isEmpty, blocking.allSatisfy({ !$0.isEmpty }) else { return nil }
        return blocking[0][0]
    }
}
