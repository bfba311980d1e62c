import Foundation
import SSCardDriver

/// `issue-station readers --json`: the readers pcscd knows, in its order.
struct ReadersDocument: Encodable {
    struct Reader: Encodable {
        var index: Int
        var name: String
        /// `present`, `absent`, `mute` (a card that does not answer) or `unknown`.
        var card: String
        /// The ATR in upper-case hex without spaces, when a card answers.
        var atr: String?
        /// What the driver configuration uses it for: `contact`, `contactless`, `encoder`.
        var roles: [String]
    }

    var format = JSONOutput.format
    var readers: [Reader]

    static func reader(index: Int, name: String, status: ReaderStatus?, roles: [ReaderRole]) -> Reader {
        let card: String
        switch status {
        case nil: card = "unknown"
        case let status? where status.state.contains(.mute): card = "mute"
        case let status? where status.hasCard: card = "present"
        default: card = "absent"
        }
        let atr = card == "present" ? status?.atr.map { String(format: "%02X", $0) }.joined() : nil
        return Reader(index: index, name: name, card: card, atr: atr, roles: roles.map(\.rawValue))
    }
}
