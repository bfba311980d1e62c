import ArgumentParser
import Foundation
import SSCardDriver
import SSCardSimulator

/// `issue-station demo`: the README's main job. For now (the driver interface, printer and
/// station come with their issues) it shows the foundation end to end: simulated cards served
/// through a real pcscd and read by the driver's PC/SC layer.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: Messages.demoAbstract,
        discussion: Messages.demoDiscussion)

    @Flag(help: ArgumentHelp(Messages.useRunningHelp))
    var useRunningPCSCD = false

    func run() throws {
        let console = Console()
        let factory = PreMadeCardFactory()
        let blank = SimulatedSSCard(image: try factory.blankCard(.sample(sequence: 1)))
        let issued = SimulatedSSCard(image: try factory.personalisedCard(.sample(sequence: 2), holder: .sample))

        console.say(Messages.demoStarting)
        let desk: VirtualDesk
        do {
            desk = try VirtualDesk(cards: [blank, issued], useRunningPCSCD: useRunningPCSCD)
        } catch {
            console.fail(Messages.demoCannotStart(error))
            throw ExitCode.failure
        }
        defer { desk.close() }

        do {
            // Slot 0: a blank pre-made card as it comes from the card maker.
            let blankCard = SocialSecurityCard(channel: PCSCCardSession(configuration: .init(readerPattern: desk.readerName(slot: 0))))
            let blankIssuer = try blankCard.readIssuerData()
            console.say(Messages.demoIssuer(reader: desk.readerName(slot: 0), blankIssuer))
            try blankCard.select(.ef06)
            do {
                _ = try blankCard.readElement(.name)
                console.say(Messages.demoEF06Open)
            } catch let error as CardError where error.statusWord != nil {
                console.say(Messages.demoEF06Refused(error.statusWord!))
            }

            // Slot 1: a personalised card, opened with the simulation scheme's HSM keys.
            let session = PCSCCardSession(configuration: .init(readerPattern: desk.readerName(slot: 1)))
            let card = SocialSecurityCard(channel: session)
            let issuer = try card.readIssuerData()
            console.say(Messages.demoIssuer(reader: desk.readerName(slot: 1), issuer))
            try DemoAuthentication.openForReading(card, cardID: issuer.cardIdentificationCode)
            try card.select(.ef06)
            let name = try card.readElement(.name).map(ElementText.decode) ?? ""
            let ssn = try card.readElement(.socialSecurityNumber).map(ElementText.decode) ?? ""
            console.say(Messages.demoHolder(name: name, ssn: ssn))

            // The round trip a clerk's every card operation pays.
            let select = SSSECommands.select(aid: SSSE.aid).bytes
            let clock = ContinuousClock()
            var samples: [Duration] = []
            for _ in 0..<200 {
                let start = clock.now
                _ = try session.transmitRaw(select)
                samples.append(clock.now - start)
            }
            console.say(Messages.demoRoundTrip(samples.sorted()[samples.count / 2], count: samples.count))
            console.say(Messages.demoDone)
        } catch {
            console.fail(Messages.demoFailed(error))
            throw ExitCode.failure
        }
    }
}

/// Internal then external authentication with the simulator's HSM test keys: what a real desk
/// gets from its HSM, computed here because the demo's HSM is simulated.
enum DemoAuthentication {
    static func openForReading(_ card: SocialSecurityCard, cardID: CardIdentificationCode) throws {
        let keys = HSMMasterKeys.simulatorTestKeys
        let factor = Array(cardID.bytes[8..<16])
        let raw = try SecureRandom.bytes(8)
        let answer = try card.internalAuthenticate(factor: factor, raw: raw)
        let expected = try CardKeyScheme.internalAuthResponse(
            cardKey: keys.cardKey(.internalAuthentication, cardID: cardID.bytes), factor: factor, raw: raw)
        guard answer == expected else { throw CardError.malformedData("the card failed internal authentication") }
        let challenge = try card.getChallenge()
        try card.externalAuthenticate(keyID: 0x0A, data: try CardKeyScheme.externalAuthData(
            cardKey: keys.cardKey(.readKey, cardID: cardID.bytes), challenge: challenge, cardID: cardID.bytes))
    }
}
