#!/usr/bin/env bats
# Lesson 19 (poison pills): cpu_count() * 2 Consumer processes take ten Tasks
# from a JoinableQueue until each takes a None; results come back on a Queue.
load ../lib/helpers

# consumers_view FILE [WANT]: print FILE's lines in a form that does not
# depend on the machine or on which consumer took which task, sorted; or
# explain on stderr and fail when the lines break the program's rules.
# Two things in this output are not CPython's behaviour but chance:
#  - how many consumers there are: cpu_count() * 2, 4 on the machine that
#    recorded the golden, so the count and the number of "Exiting" lines
#    differ per machine;
#  - which consumer takes which task, and in what order the consumers and
#    the parent write their lines: they run at once.
# So a consumer's number is checked (1..N) and then replaced by K, the count
# by NCONSUMERS, and the N "Exiting" lines, once each from Consumer-1 to
# Consumer-N, by one line; what is left is compared as sorted lines.  What
# stays exact: the first line is "Creating N consumers" (start() flushes it
# before any child exists) with N = WANT when given; each task is printed
# once and its result once, with the right text; every consumer exits once,
# and after its own last task line (a process's own lines keep their order).
consumers_view() {
    perl -e '
        use strict;
        use warnings;
        my ($file, $want) = @ARGV;
        open my $in, "<", $file or die "consumers_view: $file: $!\n";
        my ($n, %exited, @out, @err);
        while (my $line = <$in>) {
            chomp $line;
            if ($line =~ /^Creating (\d+) consumers$/ && $. == 1) {
                $n = $1;
                push @out, "Creating NCONSUMERS consumers";
            } elsif ($. == 1) {
                push @err, "the first line is not \"Creating N consumers\": \"$line\"";
            } elsif ($line =~ /^Consumer-(\d+): (.*)$/ && defined $n) {
                my ($k, $what) = ($1, $2);
                push @err, "\"$line\": there is no Consumer-$k of $n" if $k < 1 || $k > $n;
                if ($what eq "Exiting") {
                    push @err, "\"$line\" twice" if $exited{$k}++;
                } else {
                    push @err, "\"$line\" after Consumer-$k exited" if $exited{$k};
                    push @out, "Consumer-K: $what";
                }
            } else {
                push @out, $line;
            }
        }
        if (defined $n) {
            if (defined $want && $n != $want) {
                push @err, "created $n consumers, but cpu_count() * 2 is $want here";
            }
            my @silent = grep { !$exited{$_} } 1 .. $n;
            push @err, "no \"Exiting\" from Consumer-$_" for @silent;
            push @out, "Consumer-K: Exiting (once from each of Consumer-1 to Consumer-NCONSUMERS)";
        }
        if (@err) {
            print STDERR "$file:\n";
            print STDERR "    $_\n" for @err;
            exit 1;
        }
        print "$_\n" for sort @out;
    ' "$@"
}

@test "19-poison-pills $MP_TAG" {
    run_lesson 19-poison-pills
    # os.cpu_count() on Linux is sysconf(_SC_NPROCESSORS_ONLN), as getconf shows.
    local cpus bad=0 s
    cpus=$(getconf _NPROCESSORS_ONLN)
    consumers_view "$GOLDEN_DIR/stdout" > "$LESSON_DIR/stdout.golden-view"
    consumers_view "$LESSON_DIR/stdout" "$((cpus * 2))" > "$LESSON_DIR/stdout.view" || bad=1
    if [ "$bad" = 0 ] && ! cmp -s "$LESSON_DIR/stdout.golden-view" "$LESSON_DIR/stdout.view"; then
        echo "stdout differs (as sorted lines, consumers renamed K, their count NCONSUMERS):"
        diff -u --label "golden/19-poison-pills/stdout (view)" --label "$(mp_impl_kind): stdout (view)" \
            "$LESSON_DIR/stdout.golden-view" "$LESSON_DIR/stdout.view" || true
        bad=1
    fi
    # stderr (empty) and the status are compared exactly.
    for s in stderr status; do
        if ! cmp -s "$GOLDEN_DIR/$s" "$LESSON_DIR/$s"; then
            echo "$s differs:"
            diff -u --label "golden/19-poison-pills/$s" --label "$(mp_impl_kind): $s" \
                "$GOLDEN_DIR/$s" "$LESSON_DIR/$s" || true
            bad=1
        fi
    done
    [ "$bad" = 0 ]
}
