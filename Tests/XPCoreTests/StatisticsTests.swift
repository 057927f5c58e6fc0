import Testing
import XPCore

// Expected values are numpy 2.4 and Python 3.11 outputs (scripts/xpcore-test-vectors.py).

@Suite("Statistics")
struct StatisticsTests {
    @Test func percentileIsNumpyLinearBitForBit() {
        #expect([10.0, 25, 50, 90].map { Statistics.percentile([4, 1, 3, 2], $0) }
                == [0x1.4cccccccccccdp+0, 0x1.c000000000000p+0, 0x1.4000000000000p+1, 0x1.d99999999999ap+1])
        #expect([2.5, 97.5, 33.3].map { Statistics.percentile([0.1, 0.7, 0.2, 0.3, 1e-9], $0) }
                == [0x1.47ae1669a9050p-7, 0x1.51eb851eb851ep-1, 0x1.10cb295e9e1b0p-3])
        // Cases where a + (b − a)·t with position (n − 1)·q/100 misses numpy by an ulp.
        let a: [Double] = [-0x1.da0221a758e58p-1, 0x1.53829f5484b40p-3, 0x1.44c4ecb302440p-2, 0x1.1e706f69964b0p+0,
                           0x1.5ae8db4593698p+0, 0x1.950b7354130d0p+0, 0x1.5147bfcf9914ep+1, 0x1.683924e885efcp+1]
        #expect(Statistics.percentile(sorted: a, 10) == -0x1.4b271f40da954p-3)
        let b: [Double] = [-0x1.6712466f31478p+1, -0x1.49e4489802702p+1, -0x1.20c683f4d1650p-2, 0x1.865dfe11129a0p+0,
                           0x1.1aaf18e19a306p+1, 0x1.54a975e09e702p+1]
        #expect(Statistics.percentile(sorted: b, 33.3) == -0x1.0d09502cf286ap+0)
        #expect([0.0, 50, 100].map { Statistics.percentile([3], $0) } == [3, 3, 3])
        #expect(Statistics.percentile([], 50).isNaN && Statistics.percentile([1, 2], 101).isNaN)
    }

    @Test func medianIsNumpyMedian() {
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5 && Statistics.median([0.1, 0.7, 0.2, 0.3]) == 0x1.0p-2)
        #expect(Statistics.median([5]) == 5 && Statistics.median([]).isNaN)
        // numpy.median takes the mean of the middle pair, so it overflows where a lerp would not.
        #expect(Statistics.median([1e308, 1.7e308]) == .infinity)
    }

    @Test func mostCommonTiesGoToFirstSeen() {
        #expect(Statistics.mostCommon(["b", "a", "a", "b", "c"]) == "b")
        #expect(Statistics.mostCommon([3, 1, 1]) == 1)
        #expect(Statistics.mostCommon([Int]()) == nil)
    }

    @Test func roundingHalfToEven() {
        #expect([0.5, 1.5, 2.5, -0.5, -1.5, 3.4999].map(Statistics.roundHalfEven) == [0, 2, 2, 0, -2, 3])
        #expect(Statistics.roundHalfEven(-0.5).sign == .minus)
        #expect([2.675, 0.125, 0.375, -0.001, 1234.5678].map { Statistics.roundHalfEven($0, digits: 2) }
                == [2.67, 0.12, 0.38, -0.0, 1234.57])
        #expect(Statistics.roundHalfEven(1234.5678, digits: 1) == 1234.6)
    }

    @Test func mostCommonCountsIsCounterMostCommon() {
        // Counter(["b","a","c","a","b","d"]).most_common() == [('b', 2), ('a', 2), ('c', 1), ('d', 1)]
        let c = Statistics.mostCommonCounts(["b", "a", "c", "a", "b", "d"])
        #expect(c.map(\.element) == ["b", "a", "c", "d"])
        #expect(c.map(\.count) == [2, 2, 1, 1])
        #expect(Statistics.mostCommonCounts([Int]()).isEmpty)
    }
}
