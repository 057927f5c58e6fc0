/// Packs items of known cost into bins of similar total cost: longest-processing-time first
/// (each item, costliest first, goes to the bin with the least cost so far), the classic
/// 4/3-approximation of the makespan, which keeps array tasks close to one another in time.
public enum Binning {
    /// The number of bins for `costs`: enough that a bin is about `targetSeconds`, never more
    /// than `maxBins` or than the items, at least one.
    public static func binCount(costs: [Double], targetSeconds: Double, maxBins: Int) -> Int {
        guard !costs.isEmpty else { return 1 }
        let total = costs.reduce(0, +)
        let wanted = targetSeconds > 0 ? Int((total / targetSeconds).rounded(.up)) : costs.count
        return max(1, min(wanted, maxBins, costs.count))
    }

    /// Item indices per bin: LPT into `bins` bins; ties (equal costs, equal loads) go by index,
    /// so the result depends only on the costs. Each bin lists its items in index order.
    public static func pack(costs: [Double], bins: Int) -> [[Int]] {
        let n = max(1, bins)
        var load = [Double](repeating: 0, count: n)
        var members = [[Int]](repeating: [], count: n)
        let order = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 < $1 }
        for i in order {
            var best = 0
            for b in 1..<n where load[b] < load[best] { best = b }
            load[best] += costs[i]
            members[best].append(i)
        }
        return members.map { $0.sorted() }.filter { !$0.isEmpty }
    }
}
