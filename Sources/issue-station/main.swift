print("issue-station")
