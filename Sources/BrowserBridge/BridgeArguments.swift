/// A request's parameters checked against its function: every parameter present with its type,
/// integers as JSON numbers (or decimal text, as form-built pages send them), strings as strings.
public struct BridgeArguments: Sendable {
    public var integers: [String: Int] = [:]
    public var strings: [String: String] = [:]

    public func int(_ name: String) -> Int { integers[name] ?? 0 }
    public func string(_ name: String) -> String { strings[name] ?? "" }

    /// The driver's integers are C `int`s: anything beyond ±2^31 is refused, not truncated.
    static let intRange = -2_147_483_648.0...2_147_483_647.0

    static func parse(_ function: BridgeFunction, fields: [String: JSONValue]) -> Result<BridgeArguments, BridgeRefusal> {
        var args = BridgeArguments()
        for parameter in function.parameters {
            let name = parameter.name
            let value = fields[name]
            func refuse(_ zh: String, _ en: String) -> Result<BridgeArguments, BridgeRefusal> {
                .failure(BridgeRefusal(.badParameter, "\(name)：\(zh)", "\(name): \(en)", function: function.rawValue))
            }
            switch parameter {
            case .int:
                switch value {
                case .number(let n)? where n.rounded() == n && intRange.contains(n):
                    args.integers[name] = Int(n)
                case .string(let s)? where Int32(s) != nil:
                    args.integers[name] = Int(Int32(s)!)
                case nil: return refuse("缺少此参数（整数）", "missing (an integer)")
                default: return refuse("应为整数", "must be an integer")
                }
            case .string, .optionalString:
                switch value {
                case .string(let s)?: args.strings[name] = s
                case nil:
                    if case .optionalString = parameter { args.strings[name] = "" } else {
                        return refuse("缺少此参数（字符串）", "missing (a string)")
                    }
                default: return refuse("应为字符串", "must be a string")
                }
            }
        }
        return .success(args)
    }
}
