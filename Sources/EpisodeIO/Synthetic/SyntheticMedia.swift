import Foundation

/// Writes the six MP4 streams of a synthetic episode. Until the media layer lands this writes
/// nothing, and episodes hold `annotation.hdf5` only.
public enum SyntheticMedia {
    public static func writer(_ episode: SyntheticEpisode, _ motion: SyntheticMotionView) throws {}
}
