import Foundation

/// Everything that can go wrong reading or writing an episode. Each case names the file and,
/// where there is one, the dataset or field, says what was expected and what was found, and
/// `description` tells the user what to do about it.
public enum EpisodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path does not exist.
    case fileNotFound(file: String)
    /// The file exists but is not an HDF5 file (bad signature).
    case notHDF5(file: String)
    /// The file exists and holds no bytes at all (an interrupted download or copy).
    case emptyFile(file: String)
    /// The file is a Git LFS pointer (a small text file naming the real file's hash), not the
    /// file itself: the clone was made without fetching the LFS objects.
    case gitLFSPointer(file: String)
    /// A folder stands where a file is expected (e.g. `annotation.hdf5` is a folder).
    case notAFile(file: String)
    /// The HDF5 library could not open or read the file (truncated, corrupt, permissions).
    case unreadable(file: String, reason: String)
    /// A group the operation needs is absent.
    case missingGroup(file: String, group: String)
    /// A dataset the operation needs is absent.
    case missingDataset(file: String, dataset: String)
    /// The dataset's element type is not the one expected.
    case wrongType(file: String, dataset: String, expected: String, found: String)
    /// The dataset's shape is not the one expected.
    case wrongShape(file: String, dataset: String, expected: String, found: String)
    /// A read or write of a dataset failed after it was opened.
    case readFailed(file: String, dataset: String, reason: String)
    /// A row range outside the dataset.
    case outOfRange(file: String, dataset: String, requested: String, available: Int)
    /// A value inside a dataset is not what the format says (e.g. a timestamp that is not a number).
    case badValue(file: String, dataset: String, reason: String)
    /// A write failed.
    case writeFailed(file: String, dataset: String, reason: String)
    /// The caption payload is malformed.
    case caption(file: String, field: String, reason: String)
    /// A frame-name timeline file is unusable.
    case timeline(file: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file or folder. Pass an episode folder holding annotation.hdf5, or the annotation.hdf5 path itself."
        case .notHDF5(let file):
            return "\(file): not an HDF5 file (the HDF5 signature is missing). Check that the download finished and that this is annotation.hdf5."
        case .emptyFile(let file):
            return "\(file): the file is empty (0 bytes); the download or copy did not finish. Download it again."
        case .gitLFSPointer(let file):
            return "\(file): this is a Git LFS pointer, not the file (a small text file naming the real file's hash). Run `git lfs pull` in the dataset clone (or download the episode again with LFS enabled) to fetch it."
        case .notAFile(let file):
            return "\(file): it is a folder, not a file. Pass the episode folder that holds annotation.hdf5, or the annotation.hdf5 file itself."
        case .unreadable(let file, let reason):
            return "\(file): the HDF5 library cannot read it (\(reason)). The file is probably truncated or corrupt; download it again."
        case .missingGroup(let file, let group):
            return "\(file): group '\(group)' is missing. Episodes of the Xperience-10M release always have it; run `xp-inspect --tree` to see what the file holds."
        case .missingDataset(let file, let dataset):
            return "\(file): dataset '\(dataset)' is missing. Run `xp-inspect` for the schema report of what this episode can still be used for."
        case .wrongType(let file, let dataset, let expected, let found):
            return "\(file): dataset '\(dataset)' has element type \(found), expected \(expected)."
        case .wrongShape(let file, let dataset, let expected, let found):
            return "\(file): dataset '\(dataset)' has shape \(found), expected \(expected)."
        case .readFailed(let file, let dataset, let reason):
            return "\(file): reading '\(dataset)' failed (\(reason)). The file may be truncated or corrupt."
        case .outOfRange(let file, let dataset, let requested, let available):
            return "\(file): rows \(requested) of '\(dataset)' requested, but it has \(available) rows."
        case .badValue(let file, let dataset, let reason):
            return "\(file): dataset '\(dataset)': \(reason)."
        case .writeFailed(let file, let dataset, let reason):
            return "\(file): writing '\(dataset)' failed (\(reason)). Check free disk space and permissions."
        case .caption(let file, let field, let reason):
            return "\(file): caption field '\(field)': \(reason)."
        case .timeline(let file, let reason):
            return "\(file): frame-name timeline unusable: \(reason). Expected one frame name (e.g. 72857807732824.jpg) per line."
        }
    }
}
