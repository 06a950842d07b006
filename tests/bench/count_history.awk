# The git command line's side of the benchmark: the same counts as the
# repository probe, from
#   git log --branches --remotes --format='%x1e%P%x1f%ae%x1f%s%x1f%n%B'
# (records start with \036; the first line holds parents, author e-mail and
# subject; the raw message follows for the GitLab rule). Run with LC_ALL=C.
# Prints: commits merges azure_devops github_merge github_squash gitlab
# bitbucket total authors

BEGIN { RS = "\036"; FS = "\n" }

NR > 1 {
	split($1, head, "\037")
	np = head[1] == "" ? 0 : split(head[1], parents, " ")
	subject = head[3]
	commits++
	if (np >= 2)
		merges++
	seen[tolower(head[2])] = 1
	kind = ""
	if (subject ~ /^Merged PR [0-9]+:/)
		kind = "azure_devops"
	else if (np >= 2 && subject ~ /^Merge pull request #[0-9]+ from /)
		kind = "github_merge"
	else if (np == 1 && subject ~ /\(#[0-9]+\)$/)
		kind = "github_squash"
	else {
		for (i = 2; i <= NF; i++) {
			line = $i
			sub(/\r$/, "", line)
			if (line ~ /^See merge request [^ ]*![0-9]+$/) {
				kind = "gitlab"
				break
			}
		}
		if (kind == "" && subject ~ /^Merged in .+ \(pull request #[0-9]+\)$/)
			kind = "bitbucket"
	}
	if (kind != "") {
		pr[kind]++
		total++
	}
}

END {
	for (a in seen)
		authors++
	printf "%d %d %d %d %d %d %d %d %d\n", commits, merges, pr["azure_devops"],
		pr["github_merge"], pr["github_squash"], pr["gitlab"], pr["bitbucket"], total,
		authors
}
