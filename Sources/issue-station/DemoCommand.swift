import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver
import CardManagement
import ProvinceSimulator
import SSCardSimulator
import SimulatedDesk
import SSCardPrinter

/// `issue-station demo`: the README's main job. One applicant's card made end to end on the
/// embedded defaults — a private pcscd with vpcd, the virtual printer (its contact station is a
/// vpcd reader), the embedded card-management simulator with its HSM and CA — then read back in
/// a second reader with iReadCardBas. Stops what it started; keeps the card-face PNG (of a sample
/// applicant) in a folder only its user can read, and prints where it is.
struct DemoCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "演示：在模拟设备上完整地即时制一张卡。 Makes one card end to end on simulated parts, with nothing to set up.",
        discussion: """
            启动私有的 pcscd（带 vsmartcard 的 vpcd 虚拟读卡器）、虚拟制卡机（卡盒里有模拟预制卡）和内置的卡管系统模拟器\
            （含加密机和 CA），把预制卡入库装盒，为示例申请 DEMO-0001 即时制卡（写芯片、写证书、打印卡面、上报），\
            领卡启用，再把制成的卡放入第二个读卡器用 iReadCardBas 读出。结束时停止它启动的一切，卡面图片保留\
            （不给 --output 时放在新建的、只有本用户可读的临时目录中，最后显示其路径）。 \
            Starts a private pcscd (with vsmartcard's vpcd virtual readers), the virtual printer (its hoppers hold \
            simulated pre-made cards) and the embedded card-management simulator (with its HSM and CA), puts the \
            pre-made cards on the books and in the hoppers, makes the card of sample application DEMO-0001 (chip, \
            certificates, face, report), activates it, and reads the card back in a second reader with iReadCardBas. \
            Stops everything it started; the card-face PNG is kept (without --output in a new \
            temporary folder only this user can read, whose path is printed at the end).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("示例申请编号（DEMO-0001…DEMO-0006）。 The sample application (DEMO-0001…DEMO-0006).", valueName: "id"))
    var application = "DEMO-0001"

    @Option(help: ArgumentHelp("卡面图片保存目录（不存在时新建，仅本用户可读）；不给时新建一个临时目录。 "
                                   + "Where the card-face PNG is kept (made private to this user when missing); without it a new temporary folder.",
                               valueName: "dir"))
    var output: String?

    @Flag(name: .customLong("use-running-pcscd"), help: ArgumentHelp("使用已在运行的 pcscd（需已配置 vpcd）。 Use the pcscd already running (vpcd configured)."))
    var useRunningPCSCD = false

    func execute(_ console: StationConsole) throws {
        // The books, the simulator's keys and the return file: a folder nobody could have
        // guessed or planted links in (mkdtemp, 0700), removed at the end.
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-demo-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let faces: String
        if let output {
            faces = NSString(string: output).expandingTildeInPath
            try PrivateFile.makeFolder(faces)
        } else {
            faces = try PrivateFile.makeTemporaryFolder(prefix: "sscard-demo-faces-")
        }

        console.say(Localized("启动 pcscd 与 vpcd 虚拟读卡器…", "Starting pcscd with the vpcd virtual readers…"))
        let desk = try VirtualDesk(cards: [], useRunningPCSCD: useRunningPCSCD)
        defer { desk.close() }
        let printer = VirtualPrinter.stocked(encoderSlot: 0)
        defer { try? printer.eject(to: .reject) }
        let configuration = StationConfiguration(
            databasePath: work.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: work.appendingPathComponent("province-sim.sqlite").path),
            outputDirectory: faces, cardFaceRetention: .keep)  // a sample applicant's face, kept to look at
        let station = Station(
            configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
            driverConfiguration: DriverConfiguration(contactReader: desk.readerName(slot: 0)), printer: printer,
            cardManagement: try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath))
        defer { try? station.database.close() }
        let clerk = "演示柜员"

        // 入库、装盒: the printer's pre-made cards on the books.
        let booked = try station.inventory.bookCards(in: printer, returnFileFolder: work, by: clerk)
        console.say(Localized("预制卡入库 \(booked.count) 张（\(booked.fileName)），已装入卡盒1、2。",
                              "\(booked.count) pre-made cards imported (\(booked.fileName)) and loaded into hoppers 1 and 2."))

        // 即时制卡.
        // The demo types 䄲 for any rare-character placeholder (DEMO-0002 张[CHUI]).
        let placeholders = (try? ApplicantName(station.cardManagement.application(id: application).name).placeholders) ?? []
        let request = try IssueChecks(station: station, console: console)
            .request(applicationID: application, file: nil, characters: placeholders.map { _ in "䄲" })
        console.say(Localized("申请 \(application)：\(request.name)，\(request.application.kind.chinese)。",
                              "Application \(application): \(request.name), \(request.application.kind.rawValue)."))
        let issued: IssuedCard
        do {
            issued = try IssuanceWorkflow(station: station).issue(request, clerk: clerk, progress: IssuanceConsole.progressPrinter(console))
        } catch {
            console.fail(Localized("错误：\(error.chinese)。", "Error: \(error.english)."))
            console.fail(Localized("下一步：\(error.nextStepChinese)", "Next: \(error.nextStepEnglish)"))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        try Activation(station: station).activate(applicationID: application, clerk: clerk)
        console.say(Localized("制卡成功并已领卡启用：卡号 \(issued.cardNumber)。", "Card made and activated: \(issued.cardNumber)."))

        // The card from the good exit, read in an ordinary reader.
        guard let card = printer.collectGoodExit().first else {
            console.fail(Localized("错误：出卡口没有卡。", "Error: the good exit is empty."))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        let connector = VPCDConnector(card: card, configuration: .slot(1))
        try connector.start()
        defer { connector.stop() }
        _ = try PCSCContext().waitForCard(in: desk.readerName(slot: 1), timeout: .seconds(10))
        let reader = SSCardInterface(configuration: DriverConfiguration(contactReader: desk.readerName(slot: 1)), securityModule: SimulatedHSM())
        let result = reader.iReadCardBas(1)
        guard result.code == 0 else {
            console.fail(Localized("错误：读回失败 \(result.code) \(result.output)。", "Error: reading back failed \(result.code) \(result.output)."))
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        console.say(Localized("iReadCardBas 读回：\(result.output)", "iReadCardBas reads back: \(result.output)"))
        if let face = issued.facePath {
            console.say(Localized("卡面图片（PNG）：\(face)", "Card face (PNG): \(face)"))
        }
        console.say(Localized("演示完成，已停止 pcscd 与模拟设备。", "Demo done; pcscd and the simulators are stopped."))
    }
}
