import Foundation
import XPCore

/// The fixed "signature" of each scripted action: how the hands move, where the head looks,
/// how the IMU vibrates, what the depth camera and video show, what the audio sounds like.
/// Derived from the action's index alone, so every episode shows an action the same way (what
/// lets a model trained on one episode recognise it in another); the episode seed only adds noise.
struct ActivitySignature {
    var leftOffset: [Double]
    var rightOffset: [Double]
    var amplitude: Double
    var frequency: Double
    var pitch: Double
    var rightHandVisible: Double
    var vibration: Double
    var vibrationFrequency: Double
    var objectCentre: (Double, Double)
    var objectRadius: Double
    var objectDepth: Double
    var hue: Double
    var stripeAngle: Double
    var stripeFrequency: Double
    var tone: Double

    static let all: [ActivitySignature] = PourOverCoffee.activities.indices.map { i in
        var g = SplitMix64(seed: 0xAC71_0000 + UInt64(i))
        let step = PourOverCoffee.steps.firstIndex(of: PourOverCoffee.activities[i].step) ?? 0
        return ActivitySignature(
            leftOffset: [g.uniform(-0.08, 0.08), g.uniform(-0.06, 0.08), g.uniform(-0.08, 0.08)],
            rightOffset: [g.uniform(-0.08, 0.08), g.uniform(-0.06, 0.08), g.uniform(-0.08, 0.08)],
            amplitude: g.uniform(0.01, 0.06), frequency: g.uniform(0.3, 2.0),
            pitch: g.uniform(0.0, 0.5), rightHandVisible: g.uniform(0.4, 1.0),
            vibration: g.uniform(0.05, 0.6), vibrationFrequency: g.uniform(1, 8),
            objectCentre: (g.uniform(0.25, 0.75), g.uniform(0.3, 0.8)), objectRadius: g.uniform(0.08, 0.2),
            objectDepth: g.uniform(0.25, 0.9),
            hue: (Double(step) / Double(PourOverCoffee.steps.count) + g.uniform(-0.03, 0.03)).truncatingRemainder(dividingBy: 1),
            stripeAngle: g.uniform(0, Double.pi), stripeFrequency: g.uniform(2, 9),
            tone: 220 * pow(2, Double(i) / 6))
    }
}

/// Per-frame state of the synthetic person, computed once and shared by every modality.
struct SyntheticMotion {
    var n: Int
    var seconds: [Double]
    /// Body (IMU rig) position and orientation in the world.
    var position: [[Double]]
    var yaw: [Double]
    var pitch: [Double]
    var bodyToWorld: [[Double]]
    /// Camera-to-world, composed exactly as the reader does.
    var cameraRotation: [[Double]]
    var cameraCentre: [[Double]]
    /// Hands in the camera frame, 63 per frame; zero when absent.
    var left: [[Double]]
    var right: [[Double]]
    var leftPresent: [Bool]
    var rightPresent: [Bool]
    var activity: [Int]
    var phase: [Double]

    /// A 21-joint hand in its own frame: wrist at the origin, five chains of four joints.
    static let handTemplate: [[Double]] = {
        var joints: [[Double]] = [[0, 0, 0]]
        for finger in 0..<5 {
            let spread = Double(finger - 2) * 0.018
            for j in 1...4 { joints.append([spread, -0.02 * Double(j) - 0.03, 0.01 * Double(j)]) }
        }
        return joints
    }()

    init(plan: SyntheticPlan, timestamps: [Int64], seed: UInt64) {
        n = plan.frameCount
        let t0 = timestamps[0]
        seconds = timestamps.map { Double($0 - t0) / 1e9 }
        var rng = SplitMix64(seed: seed).fork(0x4D07_1011)
        let activities = PourOverCoffee.activities
        let signatures = ActivitySignature.all
        var p = [0.0, 0.0, 0.0]
        var psi = rng.uniform(-0.5, 0.5)
        var theta = 0.3
        position = []; yaw = []; pitch = []; bodyToWorld = []; cameraRotation = []; cameraCentre = []
        left = []; right = []; leftPresent = []; rightPresent = []; activity = []; phase = []
        let cb = SampleCalibration.stereoTc0b
        let cbR = [cb[0], cb[1], cb[2], cb[4], cb[5], cb[6], cb[8], cb[9], cb[10]]
        let cbT = [cb[3], cb[7], cb[11]]
        for i in 0..<n {
            let action = plan.actions[plan.actionOfFrame[i]]
            let a = action.activity
            let sig = signatures[a]
            let dt = i == 0 ? 0 : seconds[i] - seconds[i - 1]
            let u = Double(i - action.frames.lowerBound) / Double(max(action.frames.count, 1))
            activity.append(a)
            phase.append(u)
            if activities[a].walks {
                p[0] += cos(psi) * 0.35 * dt
                p[1] += sin(psi) * 0.35 * dt
                psi += 0.25 * dt
            }
            psi += rng.normal() * 0.002
            theta += (sig.pitch - theta) * min(1, dt * 2) + rng.normal() * 0.002
            let bob = activities[a].walks ? 0.015 * sin(2 * Double.pi * 1.8 * seconds[i]) : 0.003 * sin(seconds[i])
            let pos = [p[0], p[1], p[2] + bob]
            position.append(pos)
            yaw.append(psi)
            pitch.append(theta)
            let rb2w = Geometry.mul(Geometry.rz(psi), Geometry.rx(-theta))
            bodyToWorld.append(rb2w)
            // T_w2b = inverse(body pose); T_w2c = T_c0_b · T_w2b; then camera-to-world.
            let rw2b = Geometry.transpose(rb2w)
            let tw2b = Geometry.apply(rw2b, pos).map { -$0 }
            let rw2c = Geometry.mul(cbR, rw2b)
            let tw2c = zip(Geometry.apply(cbR, tw2b), cbT).map { $0 + $1 }
            let rc2w = Geometry.transpose(rw2c)
            cameraRotation.append(rc2w)
            cameraCentre.append(Geometry.apply(rc2w, tw2c).map { -$0 })

            let w = 2 * Double.pi * sig.frequency * seconds[i]
            func hand(_ base: [Double], _ offset: [Double], _ sign: Double) -> [Double] {
                let wrist = [base[0] + offset[0] + sig.amplitude * sin(w) * sign + rng.normal() * 0.003,
                             base[1] + offset[1] + sig.amplitude * 0.5 * cos(w) + rng.normal() * 0.003,
                             base[2] + offset[2] + sig.amplitude * 0.3 * sin(w + 1) + rng.normal() * 0.003]
                let curl = Geometry.rx(0.3 + 0.4 * sin(w * 0.5))
                return SyntheticMotion.handTemplate.flatMap { j -> [Double] in
                    let r = Geometry.apply(curl, [j[0] * sign, j[1], j[2]])
                    return [wrist[0] + r[0], wrist[1] + r[1], wrist[2] + r[2]]
                }
            }
            let leftVisible = rng.uniform() > 0.03
            let rightVisible = rng.uniform() < sig.rightHandVisible
            leftPresent.append(leftVisible)
            rightPresent.append(rightVisible)
            left.append(leftVisible ? hand([-0.07, 0.29, 0.52], sig.leftOffset, -1) : [Double](repeating: 0, count: 63))
            right.append(rightVisible ? hand([0.12, 0.27, 0.50], sig.rightOffset, 1) : [Double](repeating: 0, count: 63))
        }
    }

    /// A camera-frame point in the world.
    func toWorld(_ i: Int, _ x: [Double]) -> [Double] {
        zip(Geometry.apply(cameraRotation[i], x), cameraCentre[i]).map { $0 + $1 }
    }
}

/// The 52 SMPL-H joints of a standing person in a yaw-aligned frame (x right, y forward, z up),
/// relative to the pelvis, for a body 1.78 m tall.
enum BodyTemplate {
    static let joints: [[Double]] = {
        var j = [[Double]](repeating: [0, 0, 0], count: 52)
        j[0] = [0, 0, 0]; j[1] = [-0.09, 0, -0.08]; j[2] = [0.09, 0, -0.08]; j[3] = [0, 0, 0.11]
        j[4] = [-0.10, 0.01, -0.47]; j[5] = [0.10, 0.01, -0.47]; j[6] = [0, 0, 0.24]
        j[7] = [-0.10, -0.02, -0.86]; j[8] = [0.10, -0.02, -0.86]; j[9] = [0, 0, 0.30]
        j[10] = [-0.10, 0.10, -0.91]; j[11] = [0.10, 0.10, -0.91]; j[12] = [0, 0, 0.50]
        j[13] = [-0.08, 0, 0.42]; j[14] = [0.08, 0, 0.42]; j[15] = [0, 0.03, 0.62]
        j[16] = [-0.18, 0, 0.43]; j[17] = [0.18, 0, 0.43]; j[18] = [-0.25, 0.05, 0.18]; j[19] = [0.25, 0.05, 0.18]
        j[20] = [-0.22, 0.25, 0.10]; j[21] = [0.22, 0.25, 0.10]
        for k in 0..<15 {
            j[22 + k] = [-0.22 - 0.01 * Double(k % 3), 0.28 + 0.012 * Double(k / 3), 0.08]
            j[37 + k] = [0.22 + 0.01 * Double(k % 3), 0.28 + 0.012 * Double(k / 3), 0.08]
        }
        return j
    }()
}
