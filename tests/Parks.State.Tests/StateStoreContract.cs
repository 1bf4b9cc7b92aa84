using System.Text;
using Parks.Domain;
using Parks.Hosting.State;
using Parks.Testing;

namespace Parks.State.Tests;

/// <summary>
/// What every <see cref="IStateStore"/> must do. Each test works under its own key prefix, so the suite can
/// share one store (and one redis-server) and run in any order.
/// </summary>
public abstract class StateStoreContract
{
    private readonly string _prefix = TestIds.New("state");

    protected abstract IStateStore Store { get; }

    private string Key(string name) => $"{_prefix}:{name}";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(StateEntry? entry) => Encoding.UTF8.GetString(entry!.Value.Span);

    [Fact]
    public async Task A_missing_key_reads_as_null()
    {
        Assert.Null(await Store.GetAsync(Key("nothing")));
    }

    [Fact]
    public async Task Versions_start_at_one_and_grow_by_one_per_write()
    {
        var key = Key("value");
        var first = await Store.CommitAsync(new StateTransaction().Put(key, Bytes("one"), expectedVersion: 0));
        Assert.Equal(1, first.Versions[key]);

        var second = await Store.CommitAsync(new StateTransaction().Put(key, Bytes("two"), expectedVersion: 1));
        Assert.Equal(2, second.Versions[key]);

        var third = await Store.CommitAsync(new StateTransaction().Put(key, Bytes("three"), expectedVersion: null));
        Assert.Equal(3, third.Versions[key]);

        var entry = await Store.GetAsync(key);
        Assert.Equal(3, entry!.Version);
        Assert.Equal("three", Text(entry));
        Assert.Equal(key, entry.Key);
    }

    [Fact]
    public async Task Values_round_trip_byte_for_byte()
    {
        var key = Key("binary");
        var empty = Key("empty");
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.CommitAsync(new StateTransaction().Put(key, all, null).Put(empty, Array.Empty<byte>(), null));

        Assert.Equal(all, (await Store.GetAsync(key))!.Value.ToArray());
        var emptyEntry = await Store.GetAsync(empty);
        Assert.NotNull(emptyEntry);
        Assert.Equal(0, emptyEntry.Value.Length);
    }

    [Fact]
    public async Task Expected_version_zero_means_the_key_must_not_exist()
    {
        var key = Key("create-once");
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("first"), 0));

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.CommitAsync(new StateTransaction().Put(key, Bytes("second"), 0)));

        Assert.Equal(key, conflict.ResourceName);
        Assert.Contains("already exists", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("first", Text(await Store.GetAsync(key)));
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_conflict_naming_the_key()
    {
        var key = Key("stale");
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v1"), 0));
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v2"), 1));

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.CommitAsync(new StateTransaction().Put(key, Bytes("lost update"), 1)));

        Assert.Equal(key, conflict.ResourceName);
        Assert.Contains("version 2", conflict.Message, StringComparison.Ordinal);
        var entry = await Store.GetAsync(key);
        Assert.Equal(2, entry!.Version);
        Assert.Equal("v2", Text(entry));
    }

    [Fact]
    public async Task Expecting_a_version_of_a_missing_key_is_a_conflict()
    {
        var key = Key("never-written");
        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.CommitAsync(new StateTransaction().Put(key, Bytes("x"), 3)));
        Assert.Contains("does not exist", conflict.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task A_failed_check_writes_nothing_at_all()
    {
        var existing = Key("existing");
        var fresh = Key("fresh");
        var index = Key("idx");
        var ranking = Key("rank");
        var queue = Key("queue");
        await Store.CommitAsync(new StateTransaction().Put(existing, Bytes("keep"), 0));

        // Every kind of write comes before the failing check, which is last.
        var transaction = new StateTransaction()
            .Put(fresh, Bytes("must not appear"), 0)
            .Delete(existing, null)
            .AddToIndex(index, "member")
            .SetScore(ranking, "member", 10)
            .Enqueue(queue, "m1", Bytes("message"))
            .Require(existing, 7);
        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => Store.CommitAsync(transaction));

        Assert.Equal(existing, conflict.ResourceName);
        Assert.Null(await Store.GetAsync(fresh));
        Assert.Equal("keep", Text(await Store.GetAsync(existing)));
        Assert.Equal(0, await Store.CountIndexAsync(index));
        Assert.Empty(await Store.RankAsync(ranking, 0, 10));
        Assert.Equal(0, await Store.CountQueueAsync(queue));
    }

    [Fact]
    public async Task The_first_stale_key_in_operation_order_is_reported()
    {
        var a = Key("a");
        var b = Key("b");
        await Store.CommitAsync(new StateTransaction().Put(a, Bytes("a"), 0).Put(b, Bytes("b"), 0));

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => Store.CommitAsync(
            new StateTransaction().Put(a, Bytes("a2"), 1).Put(b, Bytes("b2"), 5).Require(a, 9)));

        Assert.Equal(b, conflict.ResourceName);
    }

    [Fact]
    public async Task Checks_see_the_state_before_the_commit()
    {
        var key = Key("twice");
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v1"), 0));

        // Both puts expect version 1: the second check does not see the first put.
        var result = await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v2"), 1).Put(key, Bytes("v3"), 1));

        Assert.Equal(3, result.Versions[key]);
        Assert.Equal("v3", Text(await Store.GetAsync(key)));
    }

    [Fact]
    public async Task Require_checks_without_writing()
    {
        var guard = Key("guard");
        var target = Key("target");
        await Store.CommitAsync(new StateTransaction().Put(guard, Bytes("g"), 0));

        var result = await Store.CommitAsync(new StateTransaction().Require(guard, 1).Put(target, Bytes("t"), 0));
        Assert.False(result.Versions.ContainsKey(guard));
        Assert.Equal(1, (await Store.GetAsync(guard))!.Version);

        await Assert.ThrowsAsync<ConcurrencyException>(
            () => Store.CommitAsync(new StateTransaction().Require(Key("absent-guard"), 1).Put(Key("other"), Bytes("o"), null)));
        Assert.Null(await Store.GetAsync(Key("other")));

        await Store.CommitAsync(new StateTransaction().Require(Key("absent-guard"), 0));
    }

    [Fact]
    public async Task Delete_checks_its_version_and_a_recreated_key_starts_again_at_one()
    {
        var key = Key("deleted");
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v1"), 0));
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("v2"), 1));

        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.CommitAsync(new StateTransaction().Delete(key, 1)));
        Assert.NotNull(await Store.GetAsync(key));

        var deleted = await Store.CommitAsync(new StateTransaction().Delete(key, 2));
        Assert.False(deleted.Versions.ContainsKey(key));
        Assert.Null(await Store.GetAsync(key));

        await Store.CommitAsync(new StateTransaction().Delete(key, null)); // deleting what is gone is a no-op
        var recreated = await Store.CommitAsync(new StateTransaction().Put(key, Bytes("again"), 0));
        Assert.Equal(1, recreated.Versions[key]);
    }

    [Fact]
    public async Task An_empty_transaction_is_a_no_op()
    {
        var result = await Store.CommitAsync(new StateTransaction());
        Assert.Empty(result.Versions);
    }

    [Fact]
    public async Task GetMany_answers_in_the_order_asked_with_null_for_missing_keys()
    {
        var a = Key("many-a");
        var c = Key("many-c");
        await Store.CommitAsync(new StateTransaction().Put(a, Bytes("A"), 0).Put(c, Bytes("C"), 0).Put(c, Bytes("C2"), null));

        var entries = await Store.GetManyAsync([c, Key("many-b"), a]);

        Assert.Equal(3, entries.Count);
        Assert.Equal(("C2", 2L), (Text(entries[0]), entries[0]!.Version));
        Assert.Null(entries[1]);
        Assert.Equal(("A", 1L), (Text(entries[2]), entries[2]!.Version));
        Assert.Empty(await Store.GetManyAsync([]));
    }

    [Fact]
    public async Task An_index_pages_in_byte_order_strictly_after_the_cursor()
    {
        var index = Key("idx");
        var members = Enumerable.Range(0, 25).Select(i => $"m{i:D3}").ToList();
        var transaction = new StateTransaction();
        foreach (var member in members.AsEnumerable().Reverse()) transaction.AddToIndex(index, member);
        transaction.AddToIndex(index, "m000"); // adding twice keeps one
        await Store.CommitAsync(transaction);

        Assert.Equal(25, await Store.CountIndexAsync(index));
        var pages = new List<IReadOnlyList<string>>();
        string? after = null;
        while (true)
        {
            var page = await Store.ScanIndexAsync(index, after, 10);
            if (page.Count == 0) break;
            pages.Add(page);
            after = page[^1];
        }
        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));
        Assert.Equal(members, pages.SelectMany(p => p));

        Assert.Equal(["m005", "m006"], await Store.ScanIndexAsync(index, "m004", 2));
        Assert.Equal(["m005"], await Store.ScanIndexAsync(index, "m004x", 1)); // a cursor need not be a member
        Assert.Empty(await Store.ScanIndexAsync(index, "m024", 10));
        Assert.Empty(await Store.ScanIndexAsync(index, null, 0));
        Assert.Empty(await Store.ScanIndexAsync(Key("no-index"), null, 10));
    }

    [Fact]
    public async Task Index_order_is_the_order_of_utf8_bytes()
    {
        var index = Key("utf8");
        // U+1F600 (4 UTF-8 bytes, a surrogate pair in UTF-16) sorts after U+E000 in byte order, though not
        // in UTF-16 code unit order; upper case sorts before lower case; a prefix before its extensions.
        string[] expected = ["A", "B", "a", "ab", "b", "Ω", "凌水", "\uE000", "😀"];
        var transaction = new StateTransaction();
        foreach (var member in expected.Reverse()) transaction.AddToIndex(index, member);
        await Store.CommitAsync(transaction);

        Assert.Equal(expected, await Store.ScanIndexAsync(index, null, 100));
        Assert.Equal(["😀"], await Store.ScanIndexAsync(index, "\uE000", 100));
    }

    [Fact]
    public async Task Removing_from_an_index()
    {
        var index = Key("idx-remove");
        await Store.CommitAsync(new StateTransaction().AddToIndex(index, "a").AddToIndex(index, "b").AddToIndex(index, "c"));
        await Store.CommitAsync(new StateTransaction().RemoveFromIndex(index, "b").RemoveFromIndex(index, "not-there"));

        Assert.Equal(["a", "c"], await Store.ScanIndexAsync(index, null, 10));
        Assert.Equal(2, await Store.CountIndexAsync(index));
    }

    [Fact]
    public async Task A_ranking_lists_highest_first_with_ties_by_member_ascending()
    {
        var ranking = Key("rank");
        await Store.CommitAsync(new StateTransaction()
            .SetScore(ranking, "c", 50)
            .SetScore(ranking, "a", 50)
            .SetScore(ranking, "z", 99.5)
            .SetScore(ranking, "b", 50)
            .SetScore(ranking, "low", -3)
            .SetScore(ranking, "zero", 0));

        var all = await Store.RankAsync(ranking, 0, 100);
        Assert.Equal(
            [new("z", 99.5), new("a", 50), new("b", 50), new("c", 50), new("zero", 0), new("low", -3)],
            all);
        Assert.Equal([new RankedMember("b", 50), new RankedMember("c", 50)], await Store.RankAsync(ranking, 2, 2));
        Assert.Empty(await Store.RankAsync(ranking, 6, 10));
        Assert.Empty(await Store.RankAsync(ranking, 0, 0));
    }

    [Fact]
    public async Task Setting_a_score_again_moves_the_member_and_removing_drops_it()
    {
        var ranking = Key("rank-move");
        await Store.CommitAsync(new StateTransaction().SetScore(ranking, "a", 1).SetScore(ranking, "b", 2));
        await Store.CommitAsync(new StateTransaction().SetScore(ranking, "a", 3));
        Assert.Equal(["a", "b"], (await Store.RankAsync(ranking, 0, 10)).Select(m => m.Member));

        await Store.CommitAsync(new StateTransaction().RemoveScore(ranking, "a").RemoveScore(ranking, "missing"));
        Assert.Equal([new RankedMember("b", 2)], await Store.RankAsync(ranking, 0, 10));
    }

    [Fact]
    public async Task Scores_keep_their_exact_value()
    {
        var ranking = Key("rank-exact");
        double[] scores = [0.1, 1e-300, 123456789012.345, -0.0001, double.PositiveInfinity, double.NegativeInfinity];
        var transaction = new StateTransaction();
        for (var i = 0; i < scores.Length; i++) transaction.SetScore(ranking, $"m{i}", scores[i]);
        await Store.CommitAsync(transaction);

        var ranked = (await Store.RankAsync(ranking, 0, 10)).ToDictionary(m => m.Member, m => m.Score);
        for (var i = 0; i < scores.Length; i++) Assert.Equal(scores[i], ranked[$"m{i}"]);
    }

    [Fact]
    public async Task A_queue_keeps_enqueue_order_across_commits()
    {
        var queue = Key("queue");
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m1", Bytes("one")).Enqueue(queue, "m2", Bytes("two")));
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m0", Bytes("three")));

        var messages = await Store.PeekQueueAsync(queue, 10);

        Assert.Equal(["m1", "m2", "m0"], messages.Select(m => m.Id));
        Assert.Equal(["one", "two", "three"], messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.True(messages[0].Sequence < messages[1].Sequence && messages[1].Sequence < messages[2].Sequence);
        Assert.Equal(["m1"], (await Store.PeekQueueAsync(queue, 1)).Select(m => m.Id));
        Assert.Equal(3, await Store.CountQueueAsync(queue));
        Assert.Equal(3, await Store.CountQueueAsync(queue)); // peeking removes nothing
    }

    [Fact]
    public async Task Removing_queued_messages_by_id_is_idempotent()
    {
        var queue = Key("queue-remove");
        await Store.CommitAsync(new StateTransaction()
            .Enqueue(queue, "m1", Bytes("1")).Enqueue(queue, "m2", Bytes("2")).Enqueue(queue, "m3", Bytes("3")));

        await Store.RemoveFromQueueAsync(queue, ["m2", "unknown"]);
        await Store.RemoveFromQueueAsync(queue, ["m2"]); // a second relay removing the same message
        await Store.RemoveFromQueueAsync(Key("no-queue"), ["m1"]);
        await Store.RemoveFromQueueAsync(queue, []);

        Assert.Equal(["m1", "m3"], (await Store.PeekQueueAsync(queue, 10)).Select(m => m.Id));
        Assert.Equal(2, await Store.CountQueueAsync(queue));
    }

    [Fact]
    public async Task Enqueueing_an_id_that_is_queued_keeps_the_first()
    {
        var queue = Key("queue-dup");
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m1", Bytes("first")).Enqueue(queue, "m2", Bytes("x")));
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m1", Bytes("second")));

        var messages = await Store.PeekQueueAsync(queue, 10);
        Assert.Equal(["m1", "m2"], messages.Select(m => m.Id));
        Assert.Equal("first", Encoding.UTF8.GetString(messages[0].Body.Span));
    }

    [Fact]
    public async Task Sequences_keep_growing_after_the_queue_empties()
    {
        var queue = Key("queue-seq");
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m1", Bytes("1")));
        var first = (await Store.PeekQueueAsync(queue, 1)).Single();
        await Store.RemoveFromQueueAsync(queue, ["m1"]);
        await Store.CommitAsync(new StateTransaction().Enqueue(queue, "m2", Bytes("2")));

        Assert.True((await Store.PeekQueueAsync(queue, 1)).Single().Sequence > first.Sequence);
    }

    [Fact]
    public async Task Parallel_commits_expecting_the_same_version_have_exactly_one_winner()
    {
        var key = Key("contended");
        await Store.CommitAsync(new StateTransaction().Put(key, Bytes("start"), 0));
        const int writers = 40;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
        {
            await Task.Yield();
            try
            {
                await Store.CommitAsync(new StateTransaction().Put(key, Bytes($"writer {i}"), 1).AddToIndex(Key("winners"), $"w{i}"));
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(won => won));
        var entry = await Store.GetAsync(key);
        Assert.Equal(2, entry!.Version);
        var winner = Assert.Single(await Store.ScanIndexAsync(Key("winners"), null, 100));
        Assert.Equal($"writer {winner[1..]}", Text(entry));
    }

    [Fact]
    public async Task Parallel_creates_of_one_key_have_exactly_one_winner()
    {
        var key = Key("registry");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await Task.Yield();
            try
            {
                await Store.CommitAsync(new StateTransaction().Put(key, Bytes($"unit {i}"), 0));
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(won => won));
        Assert.Equal(1, (await Store.GetAsync(key))!.Version);
    }

    [Fact]
    public async Task Parallel_read_modify_write_loses_no_update()
    {
        var key = Key("counter");
        await Store.CommitAsync(new StateTransaction().Put(key, BitConverter.GetBytes(0L), 0));
        const int increments = 60;

        await Task.WhenAll(Enumerable.Range(0, increments).Select(async _ =>
        {
            while (true)
            {
                var entry = await Store.GetAsync(key);
                var next = BitConverter.ToInt64(entry!.Value.Span) + 1;
                try
                {
                    await Store.CommitAsync(new StateTransaction().Put(key, BitConverter.GetBytes(next), entry.Version));
                    return;
                }
                catch (ConcurrencyException)
                {
                    await Task.Yield();
                }
            }
        }));

        var final = await Store.GetAsync(key);
        Assert.Equal(increments, BitConverter.ToInt64(final!.Value.Span));
        Assert.Equal(increments + 1, final.Version);
    }

    [Fact]
    public async Task A_value_with_a_time_to_live_disappears_and_a_plain_put_makes_it_permanent()
    {
        var expiring = Key("ttl");
        var madePermanent = Key("ttl-then-permanent");
        await Store.CommitAsync(new StateTransaction()
            .Put(expiring, Bytes("temp"), 0, TimeSpan.FromMilliseconds(300))
            .Put(madePermanent, Bytes("temp"), 0, TimeSpan.FromMilliseconds(300)));
        await Store.CommitAsync(new StateTransaction().Put(madePermanent, Bytes("kept"), 1));

        await Eventually.WaitUntilAsync(async () => await Store.GetAsync(expiring) is null, "the value with a TTL to expire");

        Assert.Equal("kept", Text(await Store.GetAsync(madePermanent)));
        var recreated = await Store.CommitAsync(new StateTransaction().Put(expiring, Bytes("new"), 0));
        Assert.Equal(1, recreated.Versions[expiring]);
    }

    [Fact]
    public async Task Committed_transactions_are_told_to_listeners_and_failed_ones_are_not()
    {
        var listener = new RecordingListener();
        var store = CreateWithListener(listener);
        var key = Key("listened");
        var committed = new StateTransaction().Put(key, Bytes("x"), 0);

        await store.CommitAsync(committed);
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.CommitAsync(new StateTransaction().Put(key, Bytes("y"), 0)));

        Assert.Same(committed, Assert.Single(listener.Transactions));
    }

    [Fact]
    public async Task The_store_answers_ping()
    {
        Assert.True(await Store.PingAsync());
    }

    protected abstract IStateStore CreateWithListener(IStateCommitListener listener);

    private sealed class RecordingListener : IStateCommitListener
    {
        public List<StateTransaction> Transactions { get; } = [];

        public void Committed(StateTransaction transaction)
        {
            lock (Transactions) Transactions.Add(transaction);
        }
    }
}
