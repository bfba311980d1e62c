/// The release this build belongs to. The one place the version is written is the repository's
/// `VERSION` file; this constant mirrors it (scripts/set-version.sh writes both, ReleaseVersionTests
/// fails when they differ) and scripts/package.sh names the Debian packages from the same file.
/// `issue-station --version` and the C function `SSCardDriver_Version()` print it.
public enum ReleaseVersion {
    public static let text = "1.0.0"
}
