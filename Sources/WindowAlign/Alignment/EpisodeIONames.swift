import EpisodeIO

// The EpisodeIO types that WindowAlign's public API hands on, named here so that a layer
// above (TaskContracts) can use the timeline without importing EpisodeIO itself.

/// The caption frame-reference rule sets (`current`, `release`); see `EpisodeIO.CaptionRules`.
public typealias CaptionRuleSet = CaptionRules

/// Counts what a timeline build reads (see `EpisodeIO.EpisodeAccessLog`).
public typealias TimelineAccessLog = EpisodeAccessLog

/// The modalities of an episode (see `EpisodeIO.Modality`).
public typealias EpisodeModality = Modality

/// One data-quality finding of an episode (see `EpisodeIO.QualityFinding`).
public typealias DataFinding = QualityFinding

/// EpisodeIO's `EpisodeKey` (`<session>__<epN>`), for layers that name episodes through the
/// timeline without opening files themselves.
public typealias EpisodeIdentity = EpisodeKey
