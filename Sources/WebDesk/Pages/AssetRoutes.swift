/// The style sheet and the script of every page, served by the binary itself.
enum AssetRoutes: DeskPage {
    static func register(_ routes: DeskRoutes) {
        routes.open("/assets/desk.css") { _ in .bytes(Array(DeskAssets.styleSheet.utf8), type: "text/css; charset=utf-8") }
        routes.open("/assets/desk.js") { _ in .bytes(Array(DeskAssets.script.utf8), type: "text/javascript; charset=utf-8") }
    }
}
