/// One page of the desk (or a few routes that belong together): a file in Pages/ with a type
/// conforming to `DeskPage` that registers its routes on `DeskRoutes`.
///
/// To add a page: write `Pages/SomethingPage.swift` with `enum SomethingPage: DeskPage`,
/// register its GETs with `routes.page` and its POSTs with `routes.action` (sign-in, role, Host,
/// Origin and CSRF are checked there, never in the page), give it a `navigation` entry if it
/// belongs in the menu, and add it to `DeskPages.all` below. Nothing else needs to change.
protocol DeskPage {
    static func register(_ routes: DeskRoutes)
    /// Its entry in the menu, nil for none.
    static var navigation: DeskNavigation? { get }
}

extension DeskPage {
    static var navigation: DeskNavigation? { nil }
}

/// A menu entry: the page's path, its title, its place (lower first) and who sees it.
struct DeskNavigation: Sendable {
    var path: String
    var title: Text
    var order: Int
    var role: InstantIssueRole = .clerk
}

import InstantIssue
typealias InstantIssueRole = ClerkRole

/// Every page the desk serves, in registration order.
enum DeskPages {
    static let all: [any DeskPage.Type] = [
        AssetRoutes.self,
        SignInPage.self,
        LanguageRoute.self,
        QueuePage.self,
        ApplicationPage.self,
        RareCharactersPage.self,
        IssuancePage.self,
        RecoveryPage.self,
        ClerksPage.self,
        StockPage.self,
        LedgerPage.self,
        DevicesPage.self,
        HandoverPage.self,
    ]

    /// The menu, for a clerk of `role`.
    static func menu(for role: ClerkRole?) -> [DeskNavigation] {
        all.compactMap { $0.navigation }
            .filter { $0.role == .clerk || role == .administrator }
            .sorted { $0.order < $1.order }
    }
}
