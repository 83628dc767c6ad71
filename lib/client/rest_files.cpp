// (being written: issue 10, remote Manager)
