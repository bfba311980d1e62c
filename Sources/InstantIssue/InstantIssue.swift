public enum InstantIssue {}
