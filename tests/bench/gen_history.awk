# Writes a `git fast-import` stream of a synthetic team history:
#   awk -v commits=100000 [-v seed=N] -f gen_history.awk | git fast-import --quiet
# main advances through direct commits, squash completions (GitHub "(#N)",
# Azure DevOps "Merged PR N:" with one parent) and merged pull requests of
# every convention (Azure DevOps, GitHub, GitLab, Bitbucket) as well as plain
# "Merge branch" merges; feature branches carry 1-3 commits each. A few
# branches stay open, origin/* mirrors some of them, refs/pull/* point at
# commits no branch reaches, and every 1000th main commit is tagged.
# Deterministic: a fixed linear congruential generator, no rand().

function rnd(n) {
	seed = (seed * 1103515245 + 12345) % 2147483648
	return int(seed / 65536) % n
}

function author(   k) {
	k = rnd(60)
	# the same person sometimes writes the address in another case
	if (k % 7 == 0 && rnd(2))
		return "Dev " k " <DEV" k "@Example.COM>"
	return "Dev " k " <dev" k "@example.com>"
}

function emit(ref, msg, from, merge,    who, content) {
	t += 60
	mark++
	who = author()
	print "commit " ref
	print "mark :" mark
	print "author " who " " t " +0000"
	print "committer " who " " t " +0000"
	print "data " length(msg)
	print msg
	if (from != "")
		print "from " from
	if (merge != "")
		print "merge " merge
	# a quarter of the commits change a file, so trees and blobs exist too
	if (rnd(4) == 0) {
		content = "change " mark "\n"
		print "M 100644 inline src/file" (mark % 50) ".txt"
		print "data " length(content)
		printf "%s\n", content
	}
	print ""
	return ":" mark
}

function feature(base, n,    i, tip) {
	tip = base
	for (i = 0; i < n; i++)
		tip = emit("refs/heads/tmp", "Work on feature " pr " part " i, i == 0 ? base : "", "")
	return tip
}

BEGIN {
	if (seed == "")
		seed = 42
	t = 1600000000
	mark = 0
	pr = 0
	if (!commits)
		commits = 100000
	main = emit("refs/heads/main", "Initial commit", "", "")
	while (mark < commits) {
		r = rnd(100)
		pr++
		if (r < 20) {
			main = emit("refs/heads/main", "Fix typo in module " pr, "", "")
		} else if (r < 30) {
			main = emit("refs/heads/main", "Add report " pr " (#" pr ")", "", "")
		} else if (r < 38) {
			main = emit("refs/heads/main", "Merged PR " pr ": Squashed change " pr, "", "")
		} else {
			tip = feature(main, 1 + rnd(3))
			k = rnd(6)
			if (k == 0)
				msg = "Merged PR " pr ": Feature " pr
			else if (k == 1)
				msg = "Merge pull request #" pr " from contoso/feature-" pr "\n\nFeature " pr
			else if (k == 2)
				msg = "Merge branch 'feature-" pr "' into 'main'\n\nFeature " pr "\n\nSee merge request contoso/app!" pr
			else if (k == 3)
				msg = "Merged in feature/" pr " (pull request #" pr ")\n\nFeature " pr
			else
				msg = "Merge branch 'feature-" pr "'"
			main = emit("refs/heads/main", msg, main, tip)
		}
		if (pr % 1000 == 0) {
			print "reset refs/tags/v" pr / 1000
			print "from " main
			print ""
		}
		if (pr % 5000 == 0) {
			# an open branch, mirrored at origin, and a pull ref no branch reaches
			open = feature(main, 2)
			print "reset refs/heads/open-" pr
			print "from " open
			print ""
			print "reset refs/remotes/origin/open-" pr
			print "from " open
			print ""
			dangling = emit("refs/heads/tmp", "Unmerged pull request " pr, main, "")
			print "reset refs/pull/" pr "/head"
			print "from " dangling
			print ""
		}
	}
	print "reset refs/remotes/origin/main"
	print "from " main
	print ""
	print "reset refs/heads/tmp"
	print ""
}
