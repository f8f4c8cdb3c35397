using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MigrationPortal.Domain.Audit;

/// <summary>Where verification found the chain broken, and how.</summary>
public sealed record ChainBreak(long Sequence, string Problem);

public sealed record ChainVerification(bool IsIntact, long EventsChecked, ChainBreak? FirstBreak)
{
    public string Summary => IsIntact
        ? $"The audit chain is intact: {EventsChecked} event(s) verified."
        : $"The audit chain is broken at event {FirstBreak!.Sequence}: {FirstBreak.Problem}";
}

/// <summary>
/// SHA-256 hash chain over audit events. Each event's hash covers its own fields and the previous event's hash,
/// so editing, deleting or inserting a row out of band changes a hash that a later event (or the stored chain head) depends on.
/// </summary>
public static class AuditChain
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>How far back verification looks to explain a link that skips rows; a longer forged run is still a break, only less precisely named.</summary>
    private const int RecentLinks = 4096;

    public static string ComputeHash(AuditEvent e)
    {
        // Fields are length-prefixed so that moving text between two fields changes the hash.
        var sb = new StringBuilder();
        void Add(string? value) => sb.Append(value?.Length.ToString(CultureInfo.InvariantCulture) ?? "-").Append(':').Append(value).Append('|');
        Add(e.Sequence.ToString(CultureInfo.InvariantCulture));
        Add(e.PreviousHash);
        Add(e.At.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Add(e.ActorId);
        Add(e.ActorName);
        Add(e.Action);
        Add(e.EntityType);
        Add(e.EntityId);
        Add(e.VmName);
        Add(e.RequestId?.ToString("N"));
        Add(e.Details);
        Add(e.IsDemo ? "demo" : "real");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>
    /// Walks events in sequence order. <paramref name="expectedHead"/> is the chain head the portal recorded
    /// (last sequence and hash); it catches rows appended or removed at the end, which no later event could.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(IAsyncEnumerable<AuditEvent> eventsInOrder, (long Sequence, string Hash)? expectedHead, CancellationToken ct = default)
    {
        long expectedSequence = 1;
        var previousHash = GenesisHash;
        long count = 0;
        // The last few hashes, so a link that skips rows (the portal sealing past rows forged beyond its head, see
        // AuditActions.ChainAnomaly) names the first row left out of the chain rather than the event after it.
        var recent = new Dictionary<string, long>(StringComparer.Ordinal) { [GenesisHash] = 0 };
        var recentOrder = new Queue<string>();
        await foreach (var e in eventsInOrder.WithCancellation(ct))
        {
            count++;
            if (e.Sequence != expectedSequence)
                return Broken(count, e.Sequence < expectedSequence ? e.Sequence : expectedSequence,
                    e.Sequence < expectedSequence ? "a row was inserted with a sequence number already used." : $"event {expectedSequence} is missing (deleted), next found is {e.Sequence}.");
            if (e.PreviousHash != previousHash)
            {
                if (recent.TryGetValue(e.PreviousHash, out var linked) && linked < e.Sequence - 1)
                    return Broken(count, linked + 1,
                        $"events {linked + 1}-{e.Sequence - 1} are not part of the chain: event {e.Sequence} links back to event {linked}, past them (rows were inserted out of band).");
                return Broken(count, e.Sequence, "its previous-hash does not match the event before it (a row was inserted or deleted).");
            }
            if (ComputeHash(e) != e.Hash)
                return Broken(count, e.Sequence, "its content does not match its hash (the row was edited).");
            previousHash = e.Hash;
            expectedSequence++;
            recent[e.Hash] = e.Sequence;
            recentOrder.Enqueue(e.Hash);
            if (recentOrder.Count > RecentLinks) recent.Remove(recentOrder.Dequeue());
        }

        if (expectedHead is { } head)
        {
            var last = expectedSequence - 1;
            if (head.Sequence > last) return Broken(count, last + 1, $"the chain head records {head.Sequence} event(s) but the log ends at {last} (rows deleted at the end).");
            if (head.Sequence < last) return Broken(count, head.Sequence + 1, "rows were appended after the recorded chain head.");
            if (last > 0 && head.Hash != previousHash) return Broken(count, last, "the last event does not match the recorded chain head.");
        }

        return new ChainVerification(true, count, null);
    }

    private static ChainVerification Broken(long checkedCount, long sequence, string problem) => new(false, checkedCount, new ChainBreak(sequence, problem));
}
