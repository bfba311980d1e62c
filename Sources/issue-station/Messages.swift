import Foundation
import SSCardDriver
import SSCardSimulator

/// The station's texts, as a table that each command extends: this file holds the program's
/// abstract and `vcard`'s texts, VPrinterMessages.swift `vprinter`'s, and the other commands'
/// are in their own `…Messages.swift` files or beside the command. Help is printed before
/// `--lang` is parsed, so a help text holds both languages in one string, Chinese first;
/// everything printed after that is `Localized`, shown in the chosen language.
enum Messages {
    // MARK: Help

    static let stationAbstract = "运行社会保障卡（三代卡）即时制卡柜台及其技术员工具。 Runs the social security card (三代卡) instant-issuance desk and its technician tools."
    static let vcardAbstract = "在 pcscd 的虚拟读卡器（vpcd）中提供一张模拟社保卡。 Serves a simulated social security card to pcscd's virtual reader (vpcd)."
    static let vcardDiscussion = """
        模拟卡连接到 pcscd 里的虚拟读卡器驱动 vpcd，本机所有 PC/SC 程序都能在读卡器“Virtual PCD 00 00”\
        （端口 35963）或“Virtual PCD 00 01”（端口 35964）中看到它。pcscd 必须已经带着 vpcd 读卡器运行\
        （用 scripts/install-deps.sh 安装，用 `pcscd -f` 启动）。

        运行时每行输入一条命令：`remove` 把卡从读卡器取出，`insert` 把卡插回，`mute` 让卡片不再应答命令，\
        `unmute` 恢复应答，`status` 显示卡片在哪里，`quit` 保存卡片并退出。Ctrl-C 和 SIGTERM 也会先保存卡片再退出。

        警告：vpcd 监听所有网卡，局域网里任何人都能向它连接一张卡。在技术员电脑上请用防火墙挡住 35963 和 35964 端口。

        The card connects to vpcd, the virtual reader driver inside pcscd, so that every PC/SC \
        program on this machine sees it in the reader "Virtual PCD 00 00" (port 35963) or \
        "Virtual PCD 00 01" (port 35964). pcscd must already be running with the vpcd reader \
        (install it with scripts/install-deps.sh, start it with `pcscd -f`).

        While it runs, type one command per line: `remove` takes the card out of the reader, \
        `insert` puts it back, `mute` makes the card stop answering commands and `unmute` ends \
        that, `status` shows where the card is, and `quit` saves the card and exits. Ctrl-C and \
        SIGTERM also save the card before exiting.

        Warning: vpcd listens on all network interfaces, so anyone on the LAN can connect a card \
        to it. Firewall ports 35963 and 35964 on a technician's machine.
        """
    static let cardHelp = """
        要提供的卡片映像文件（JSON）。文件不存在时新建一张空白预制卡并保存在这里；卡片的每次修改都立即写回这个文件，\
        程序退出时再保存一次。不给这个选项时提供一张空白卡，什么都不保存。 \
        The card image file (JSON) to serve. If it does not exist, a new blank pre-made card is \
        created and saved there. Every change the card makes is saved to this file at once, and \
        the card is saved again when the program exits. Without this option a blank card is \
        served and nothing is saved.
        """
    static let hostHelp = "运行 pcscd（带 vpcd 读卡器）的主机。 The host where pcscd with the vpcd reader runs."
    static let portHelp = "要连接的 vpcd 端口：槽位 0 为 35963，槽位 1 为 35964。 The vpcd port to connect to: 35963 for slot 0, 35964 for slot 1."
    static let slotHelp = "要使用的 vpcd 槽位，0 或 1；这是选择端口的简便写法。 The vpcd slot to use, 0 or 1; a shorter way of choosing the port."
    static let quietHelp = "只显示卡片状态的变化和错误，不显示卡片应答的每条命令。 Prints only changes of the card's state and errors, not every command the card answers."

    // MARK: Validation

    static let portAndSlot = "--port 和 --slot 只能给出一个。 Give either --port or --slot, not both."
    static let slotRange = "槽位应为 0 或 1。 The slot must be 0 or 1."

    // MARK: Console

    static let vcardCommands = Localized("命令：remove、insert、mute、unmute、status、quit。", "Commands: remove, insert, mute, unmute, status, quit.")

    static func serving(_ card: Localized, host: String, port: UInt16) -> Localized {
        Localized("正在向 \(host):\(port) 的 vpcd 提供卡片：\(card.zh)。", "Serving \(card.en) to vpcd at \(host):\(port). ") + vcardCommands
    }
    static let blankCard = Localized("一张空白预制卡", "a blank pre-made card")
    static func cardFile(_ path: String) -> Localized { Localized("\(path) 中的卡", "the card in \(path)") }
    static func createdCard(_ path: String) -> Localized {
        Localized("已在 \(path) 新建一张空白预制卡。", "Created a new blank pre-made card in \(path).")
    }
    static func inserted(host: String, port: UInt16) -> Localized {
        let reader = readerName(port)
        return Localized("卡片已插入：已连接 \(host):\(port) 的 vpcd（读卡器 \(reader.zh)）。",
                         "Card inserted: connected to vpcd at \(host):\(port) (reader \(reader.en)).")
    }
    static let removed = Localized("卡片已取出。", "Card removed.")
    static let inserting = Localized("正在插入卡片…", "Inserting the card…")
    static let alreadyInserted = Localized("卡片已经在读卡器里。", "The card is already in the reader.")
    static let alreadyRemoved = Localized("卡片已经不在读卡器里。", "The card is already out of the reader.")
    static func connectionLost(_ reason: String) -> Localized {
        Localized("与 vpcd 的连接断开（\(reason)）；pcscd 恢复后卡片会自动重新连接。",
                  "Lost the connection to vpcd (\(reason)); the card will reconnect when pcscd is back.")
    }
    static func waitingForVPCD(_ reason: String) -> Localized { Localized("正在等待 vpcd：\(reason)。", "Waiting for vpcd: \(reason).") }
    static let muted = Localized("卡片已静默：收下命令但永不应答。输入 `unmute` 恢复应答。",
                                 "The card is mute: it reads commands and never answers them. Type `unmute` to end this.")
    static let unmuted = Localized("卡片恢复应答命令。", "The card answers commands again.")
    static func control(_ code: VPCDControl) -> Localized {
        let zh = switch code {
        case .powerOff: "断电"
        case .powerOn: "上电"
        case .reset: "复位"
        case .getATR: "读取 ATR"
        }
        return Localized("vpcd：\(zh)", "vpcd: \(code)")
    }
    static func exchange(_ e: VPCDConnector.APDUExchange) -> Localized {
        let micros = Int((e.processingTime.components.attoseconds / 1_000_000_000_000) + e.processingTime.components.seconds * 1_000_000)
        let response = e.response.map { Localized(verbatim: $0.spacedHexString) } ?? Localized("（无应答：已静默）", "(no answer: mute)")
        return Localized(verbatim: "> \(APDUTrace.command(e.command))\n< ") + response + Localized(verbatim: "  [\(micros) µs]")
    }
    static func status(state: VPCDConnector.State, host: String, port: UInt16, card: Localized, commands: Int, mute: Bool) -> Localized {
        let reader = readerName(port)
        return Localized("卡片：\(card.zh)。状态：\(stateName(state))。vpcd：\(host):\(port)（读卡器 \(reader.zh)）。"
                            + "已应答或收下的命令：\(commands) 条。\(mute ? "已静默。" : "")",
                         "Card: \(card.en). State: \(state). vpcd: \(host):\(port) (reader \(reader.en)). "
                            + "Commands answered or read: \(commands).\(mute ? " Mute." : "")")
    }
    static func unknownCommand(_ line: String) -> Localized {
        Localized("未知命令“\(line)”。", "Unknown command “\(line)”. ") + vcardCommands
    }
    static func saved(_ path: String) -> Localized { Localized("卡片已保存到 \(path)。", "Saved the card to \(path).") }
    static let stopping = Localized("正在停止。", "Stopping.")

    static func readerName(_ port: UInt16) -> Localized {
        let slot = Int(port) - Int(VPCDFraming.defaultPort)
        return (0..<VPCDFraming.slotCount).contains(slot) ? Localized(verbatim: "Virtual PCD 00 0\(slot)") : Localized("端口 \(port)", "port \(port)")
    }

    private static func stateName(_ state: VPCDConnector.State) -> String {
        switch state {
        case .idle: "未启动"
        case .connecting: "正在连接"
        case .inserted: "已插入"
        case .removed: "已取出"
        case .stopped: "已停止"
        }
    }
}
