/// PINs never travel in JSON: they are entered on the reader's PIN pad, else at the desk's own
/// prompt. A request carrying a field that looks like one is refused whole, before the driver
/// sees it, so a page cannot make a habit of sending them.
///
/// Looks like a PIN: a field named like one (`pin`, `pPin`, `newPIN`, `password`, `pwd`, `密码`,
/// not `pinyin`), or a field that is not a parameter of the function whose value is 4–16
/// digits (the PIN lengths of `PINRules`) — a page that tucks the PIN into a field of its own.
public enum PINFieldGuard {
    public static func check(_ fields: [String: JSONValue], function: BridgeFunction?) -> BridgeRefusal? {
        let parameters = Set(function?.parameters.map(\.name) ?? [])
        for (key, value) in fields {
            if namesAPIN(key) || (!parameters.contains(key) && looksLikeDigits(value)) {
                return BridgeRefusal(
                    .pinInJSON,
                    "字段 \(key) 像是密码：密码只能在密码键盘或本机输入，不能经网页传送",
                    "field \(key) looks like a PIN: PINs are entered on the PIN pad or at the desk, never sent by a page",
                    function: function?.rawValue ?? "")
            }
        }
        return nil
    }

    static func namesAPIN(_ key: String) -> Bool {
        let k = key.lowercased()
        if k.contains("pinyin") { return false }
        return k.contains("pin") || k.contains("passw") || k.contains("pwd") || k.contains("passcode") || key.contains("密码")
    }

    static func looksLikeDigits(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s):
            return (4...16).contains(s.count) && s.allSatisfy { $0.isASCII && $0.isNumber }
        case .number(let n):
            return n.rounded() == n && n >= 1000 && n < 1e16
        default:
            return false
        }
    }
}
