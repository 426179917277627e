"""thatgia — "thật hay giả?": is this message really from the State Treasury's IT support?"""
