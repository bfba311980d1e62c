import Foundation
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

// MARK: vprinter (help is bilingual: it is shown before --lang is parsed)

extension Messages {
    static let vprinterAbstract = "运行一台虚拟制卡机，在本机套接字上使用 Evolis Escape 协议。 Runs a virtual card printer that speaks the Evolis Escape protocol on a local socket."
    static let vprinterDiscussion = """
        虚拟制卡机有两个装空白预制卡的卡盒（卡盒1：SIM000001、SIM000002……；卡盒2：SIM000101、SIM000102……）、\
        一个接触式芯片工位、一个打印位、一个出卡口和一个废卡盒。制卡站的驱动或任何使用 Escape 协议（ESC 命令 CR）的程序\
        在 127.0.0.1 上连接它（端口默认 35970，可用 --port 改），它从不在其他网卡上监听。卡片到达接触工位时，芯片被放进 \
        pcscd 的虚拟读卡器（默认 vpcd 槽位 0，可用 --slot 改），所以 pcscd 必须带着 vpcd 读卡器运行；给出 --unwired 时除外。

        打印的每张卡都以 PNG 文件写入 --output 目录：黑色树脂面板（…-k.png）和整个卡面（…-face.png）。

        运行时每行输入一条命令：`status` 显示卡盒、卡片通道和故障（与 Escape 命令 Xstatus 的应答相同：hopperN 为卡盒里的\
        卡数，path 为通道里的卡，good 为出卡口，reject 为废卡盒，printed 为已打印张数，faults 为故障）；`fault NAME` \
        让下一次操作因该故障失败，`fault NAME sticky` 让故障一直存在直到清除（NAME 为 jamAtLoad、jamAtPrint、coverOpen、\
        ribbonOut、notConnected 或 timeout）；`clear` 清除全部故障，`clear NAME` 清除其中一个；`ribbon` 换上新色带；\
        `collect` 取出出卡口和废卡盒里的卡；`quit` 停止制卡机。Ctrl-C 和 SIGTERM 也会停止它。连接着制卡机的程序可以用\
        私有 Escape 命令发送同样的控制，例如 ESC Xfault;jamAtPrint CR（docs/escape-protocol.md）。

        The virtual printer has two hoppers of blank pre-made cards (hopper 1 holds SIM000001, \
        SIM000002, …; hopper 2 holds SIM000101, SIM000102, …), a contact station, a print \
        position, a good exit and a reject box. The station's driver, or any program that speaks \
        the Escape protocol (ESC command CR), connects to it on 127.0.0.1 (port 35970 unless \
        --port says otherwise); it never listens on other interfaces. When a card reaches the \
        contact station its chip is put into pcscd's virtual reader (vpcd slot 0 unless --slot \
        says otherwise), so pcscd must be running with the vpcd reader, unless --unwired is given.

        Every card it prints is written to the --output directory as PNG files: the black resin \
        panel (…-k.png) and the whole face (…-face.png).

        While it runs, type one command per line: `status` shows the hoppers, the card path and \
        the faults (the reply of the Escape command Xstatus); `fault NAME` makes the next \
        operation fail with that fault, and `fault NAME sticky` keeps it until cleared (NAME is \
        jamAtLoad, jamAtPrint, coverOpen, ribbonOut, notConnected or timeout); `clear` clears \
        every fault and `clear NAME` one of them; `ribbon` fits a new ribbon; `collect` takes the \
        cards out of the good exit and the reject box; `quit` stops the printer. Ctrl-C and \
        SIGTERM also stop it. A program connected to the printer can send the same controls as \
        private Escape commands, for example ESC Xfault;jamAtPrint CR (docs/escape-protocol.md).
        """
    static let vprinterPortHelp = "监听的 TCP 端口，只在 127.0.0.1 上监听。 The TCP port to listen on, on 127.0.0.1 only."
    static let vprinterSlotHelp = "vpcd 槽位，0 或 1；这个槽位的读卡器能看到接触工位上的卡。 The vpcd slot, 0 or 1, whose reader sees the card at the contact station."
    static let vprinterOutputHelp = "打印的卡以 PNG 文件写入的目录；不给时不写文件。 The directory where printed cards are written as PNG files. Without it nothing is written."
    static let vprinterCardsHelp = "开始时两个卡盒各装多少张空白预制卡，0 至 100。 How many blank pre-made cards each of the two hoppers holds at the start, 0 to 100."
    static let vprinterUnwiredHelp = "不把芯片接入 vpcd：制卡机不需要 pcscd，也没有读卡器能看到卡片。 Do not put the chip into vpcd: the printer then works without pcscd, and no reader sees the card."
    static let vprinterQuietHelp = "只显示打印的卡、连接和错误，不显示每条命令和应答。 Prints only printed cards, connections and errors, not every command and reply."
    static let vprinterCardsRange = "每个卡盒的卡数应为 0 至 100。 The number of cards per hopper must be 0 to 100."

    // MARK: Console

    static let vprinterCommands = Localized("命令：status、fault 名称 [sticky]、clear [名称]、ribbon、collect、quit。",
                                            "Commands: status, fault NAME [sticky], clear [NAME], ribbon, collect, quit.")

    static func vprinterListening(_ endpoint: String, encoder: Localized) -> Localized {
        Localized("虚拟制卡机正在 \(endpoint) 上监听；接触工位：\(encoder.zh)。", "Virtual printer listening on \(endpoint); contact station: \(encoder.en). ")
            + vprinterCommands
    }
    static func vprinterEncoder(slot: Int?) -> Localized {
        guard let slot else { return Localized("未接入（没有读卡器能看到卡片）", "not wired (no reader sees the card)") }
        return Localized("vpcd 槽位 \(slot)（读卡器 Virtual PCD 00 0\(slot)）", "vpcd slot \(slot) (reader Virtual PCD 00 0\(slot))")
    }
    static func vprinterConnected(_ id: Int) -> Localized { Localized("连接 \(id) 已打开。", "Connection \(id) opened.") }
    static func vprinterDisconnected(_ id: Int) -> Localized { Localized("连接 \(id) 已关闭。", "Connection \(id) closed.") }
    static func vprinterCommand(_ command: EscapeCommand, _ reply: EscapeReply?) -> Localized {
        let answer = reply.map { Localized(verbatim: $0.text) } ?? Localized("（无应答：timeout 故障）", "(no reply: timeout fault)")
        return Localized(verbatim: "> \(command)\n< ") + answer
    }
    static func vprinterDecodingError(_ text: String) -> Localized {
        Localized("客户端发来的数据有误：\(text)", "Bad bytes from the client: \(text)")
    }
    static func vprinterPrinted(_ card: VirtualPrinterServer.PrintedCard) -> Localized {
        let panels = card.panels.ribbonPanelCount
        let paths = card.files.map(\.path)
        let zh = "已打印第 \(card.sequence) 张卡，\(card.cardNumber ?? "卡号未知")，\(panels) 个面板："
            + (paths.isEmpty ? "未写文件" : paths.joined(separator: "、"))
            + (card.outputError.map { "（无法写入：\($0)）" } ?? "")
        let en = "Printed card \(card.sequence), \(card.cardNumber ?? "unknown card"), \(panels) panels: "
            + (paths.isEmpty ? "no files written" : paths.joined(separator: ", "))
            + (card.outputError.map { " (could not write: \($0))" } ?? "")
        return Localized(zh, en)
    }
    static func vprinterStatus(_ summary: String) -> Localized {
        Localized("制卡机状态：\(summary)", "Printer status: \(summary)")
    }
    static func vprinterFaultArmed(_ name: String, sticky: Bool) -> Localized {
        sticky ? Localized("已设置故障 \(name)，清除前一直有效。", "Fault \(name) armed until cleared.")
            : Localized("已设置故障 \(name)，在下一次受它影响的操作时出现。", "Fault \(name) armed for the next operation it affects.")
    }
    static func vprinterUnknownFault(_ name: String) -> Localized {
        Localized("未知故障“\(name)”。故障：jamAtLoad、jamAtPrint、coverOpen、ribbonOut、notConnected、timeout。",
                  "Unknown fault “\(name)”. Faults: jamAtLoad, jamAtPrint, coverOpen, ribbonOut, notConnected, timeout.")
    }
    static let vprinterCleared = Localized("故障已清除。", "Faults cleared.")
    static let vprinterRibbon = Localized("已换上新色带。", "A new ribbon is fitted.")
    static func vprinterCollected(good: Int, rejected: Int) -> Localized {
        Localized("从出卡口取出 \(good) 张卡，从废卡盒取出 \(rejected) 张卡。",
                  "Took \(good) cards out of the good exit and \(rejected) out of the reject box.")
    }
    static func vprinterUnknownCommand(_ line: String) -> Localized {
        Localized("未知命令“\(line)”。", "Unknown command “\(line)”. ") + vprinterCommands
    }
}
