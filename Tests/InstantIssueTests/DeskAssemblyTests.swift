import CardManagement
import DeskAssembly
import Foundation
import InstantIssue
import SimulatedDesk
import SSCardDriver
import SSCardPrinter
import XCTest

/// The composition root: each kind decoded once, each built in one place, and the simulated
/// kinds only where simulators were handed in.
final class DeskAssemblyTests: XCTestCase {
    private func driverConfiguration(_ json: String) throws -> DriverConfiguration {
        try JSONDecoder().decode(DriverConfiguration.self, from: Data(json.utf8))
    }

    func testDefaultsChooseNothingSimulated() throws {
        let configuration = try driverConfiguration("{}")
        XCTAssertEqual(configuration.securityModule, .none)
        XCTAssertEqual(configuration.printer.kind, .none)
        let driver = try DeskAssembly.production.driver(configuration)
        XCTAssertNil(driver.securityModule)
        XCTAssertNil(driver.printer)
    }

    func testProductionRefusesSimulatedKindsNamingTheSimulatorToRun() throws {
        let virtual = try driverConfiguration(#"{"printer": {"kind": "virtual"}}"#)
        XCTAssertThrowsError(try DeskAssembly.production.printer(virtual.printer)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("printer.kind") && text.contains("issue-station vprinter") && text.contains("escape-tcp"), text)
        }
        let simulated = try driverConfiguration(#"{"securityModule": "simulated"}"#)
        XCTAssertThrowsError(try DeskAssembly.production.securityModule(simulated)) { error in
            XCTAssertTrue("\(error)".contains("issue-station province-sim"), "\(error)")
        }
        XCTAssertThrowsError(try DeskAssembly.production.cardManagement(CardManagementSetting(), simulatorDatabasePath: "/nonexistent/sim.sqlite")) { error in
            XCTAssertTrue("\(error)".contains("cardManagement.kind"), "\(error)")
        }
    }

    func testSimulatorsServeTheSimulatedKinds() throws {
        let virtual = try driverConfiguration(#"{"printer": {"kind": "virtual"}, "securityModule": "simulated"}"#)
        let driver = try DeskAssembly.withSimulators.driver(virtual)
        XCTAssertNotNil(driver.printer)
        XCTAssertNotNil(driver.securityModule)
        XCTAssertEqual(try driver.printer?.status().hoppers.count, 2)
    }

    func testProvinceSecurityModuleReachesTheCardManagementContract() throws {
        let configuration = try driverConfiguration(
            #"{"securityModule": "province", "province": {"url": "http://127.0.0.1:8735", "terminal": "SSDESK000042"}}"#)
        let module = try XCTUnwrap(try DeskAssembly.production.securityModule(configuration) as? CardManagementSecurityModule)
        XCTAssertEqual(module.terminalNumber, "SSDESK000042")
        XCTAssertEqual((module.system as? CardManagementHTTPClient)?.baseURL.absoluteString, "http://127.0.0.1:8735")
    }

    func testKindsAreDecodedOnceWithAClearErrorForAnUnknownOne() throws {
        XCTAssertThrowsError(try driverConfiguration(#"{"printer": {"kind": "laser"}}"#)) { error in
            let reason = ConfigurationError.explain(error as! DecodingError)
            XCTAssertTrue(reason.contains("printer.kind") && reason.contains("\"laser\" is not virtual, escape-tcp, evolis-usb or none"), reason)
        }
        XCTAssertThrowsError(try driverConfiguration(#"{"securityModule": "province"}"#)) { error in
            XCTAssertTrue(ConfigurationError.explain(error as! DecodingError).contains("province.url"), "\(error)")
        }
        XCTAssertThrowsError(try driverConfiguration(#"{"securityModule": "psam"}"#)) { error in
            let reason = ConfigurationError.explain(error as! DecodingError)
            XCTAssertTrue(reason.contains("securityModule") && reason.contains("\"psam\" is not none, province or simulated"), reason)
        }
        XCTAssertThrowsError(try driverConfiguration(#"{"securityModule": "province", "province": {"url": "ftp://x"}}"#))
        // TLS to the province; plain http only to loopback, refused at load, not at the first call.
        XCTAssertNoThrow(try driverConfiguration(#"{"securityModule": "province", "province": {"url": "https://province.example:443"}}"#))
        XCTAssertThrowsError(try driverConfiguration(#"{"securityModule": "province", "province": {"url": "http://province.example:8735"}}"#))
        XCTAssertThrowsError(try driverConfiguration(#"{"securityModule": "province", "province": {"url": "http://192.0.2.1:8735"}}"#))
        XCTAssertThrowsError(try JSONDecoder().decode(StationConfiguration.self, from: Data(#"{"cardManagement": {"kind": "soap"}}"#.utf8))) { error in
            XCTAssertTrue(ConfigurationError.explain(error as! DecodingError).contains("\"soap\" is not embedded or http"), "\(error)")
        }
    }
}
