import Foundation

/// A small JSON Schema checker for the schemas in `Fixtures/schemas/`: the keywords `type`
/// (object, array, string, integer, number, boolean, null; or a list of them), `enum` (of
/// strings), `required`, `properties`,
/// `additionalProperties: false`, `items`, `minItems`, `maxItems`, `minimum`, `maximum`,
/// and `minLength`. Any other keyword is refused when the schema is loaded, so a schema
/// never silently checks less than it says.
public struct JSONSchemaLite {
    public static let supported: Set<String> = ["$schema", "$id", "title", "description", "type", "required", "properties",
                                                "additionalProperties", "items", "minItems", "maxItems", "minimum", "maximum",
                                                "minLength", "enum"]
    let schema: [String: Any]

    public init(data: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.unreadable(path: "schema", detail: "a schema must be a JSON object")
        }
        try Self.checkKeywords(object, at: "#")
        schema = object
    }

    static func checkKeywords(_ s: [String: Any], at path: String) throws {
        for key in s.keys where !supported.contains(key) {
            throw FixtureError.unreadable(path: "schema", detail: "keyword \(key) at \(path) is not supported by JSONSchemaLite")
        }
        if let items = s["items"] as? [String: Any] { try checkKeywords(items, at: path + "/items") }
        if let properties = s["properties"] as? [String: Any] {
            for (name, sub) in properties {
                guard let sub = sub as? [String: Any] else { throw FixtureError.unreadable(path: "schema", detail: "\(path)/properties/\(name) is not a schema") }
                try checkKeywords(sub, at: path + "/properties/" + name)
            }
        }
    }

    /// Every way `value` (from `JSONSerialization`) breaks the schema, as "path: problem" lines.
    public func violations(of value: Any) -> [String] {
        var out: [String] = []
        Self.check(value, schema, "$", &out)
        return out
    }

    static func isInteger(_ v: Any) -> Bool {
        guard let n = v as? NSNumber, !isBool(n) else { return false }
        return n.doubleValue.rounded() == n.doubleValue && n.doubleValue.isFinite
    }

    /// JSON booleans come back as NSNumbers of Objective-C type "c" (JSON has no 8-bit integers).
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func typeName(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        case let n as NSNumber: return isBool(n) ? "boolean" : (isInteger(n) ? "integer" : "number")
        default: return "unknown"
        }
    }

    static func check(_ v: Any, _ s: [String: Any], _ path: String, _ out: inout [String]) {
        let types = (s["type"] as? String).map { [$0] } ?? (s["type"] as? [String])
        if let types {
            let actual = typeName(v)
            let ok = types.contains { actual == $0 || ($0 == "number" && actual == "integer") }
            if !ok { out.append("\(path): expected \(types.joined(separator: " or ")), found \(actual)"); return }
        }
        if let allowed = s["enum"] as? [String], let string = v as? String, !allowed.contains(string) {
            out.append("\(path): '\(string)' is not one of \(allowed.joined(separator: ", "))")
        }
        if let string = v as? String, let min = s["minLength"] as? Int, string.count < min {
            out.append("\(path): shorter than \(min)")
        }
        if let n = v as? NSNumber, typeName(v) != "boolean" {
            if let min = s["minimum"] as? Double, n.doubleValue < min { out.append("\(path): \(n) < minimum \(min)") }
            if let max = s["maximum"] as? Double, n.doubleValue > max { out.append("\(path): \(n) > maximum \(max)") }
        }
        if let array = v as? [Any] {
            if let min = s["minItems"] as? Int, array.count < min { out.append("\(path): \(array.count) items, at least \(min) expected") }
            if let max = s["maxItems"] as? Int, array.count > max { out.append("\(path): \(array.count) items, at most \(max) expected") }
            if let items = s["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { check(item, items, "\(path)[\(i)]", &out) }
            }
        }
        if let object = v as? [String: Any] {
            for key in (s["required"] as? [String]) ?? [] where object[key] == nil { out.append("\(path): missing \(key)") }
            let properties = (s["properties"] as? [String: Any]) ?? [:]
            if (s["additionalProperties"] as? Bool) == false {
                for key in object.keys.sorted() where properties[key] == nil { out.append("\(path): unexpected key \(key)") }
            }
            for (key, sub) in properties {
                if let child = object[key], let sub = sub as? [String: Any] { check(child, sub, "\(path).\(key)", &out) }
            }
        }
    }
}
