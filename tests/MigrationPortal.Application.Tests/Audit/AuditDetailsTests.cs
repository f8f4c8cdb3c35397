using System.Text.Json;
using MigrationPortal.Application.Audit;

namespace MigrationPortal.Application.Tests.Audit;

/// <summary>The audit page's Details column: label and value pairs, not the stored JSON with its \u003C escapes.</summary>
public sealed class AuditDetailsTests
{
    [Fact]
    public void Pairs_ReadsLabelsAndDecodedValues_FromStoredJson()
    {
        var stored = JsonSerializer.Serialize(new { localStart = "2027-01-02 22:00", comment = "<b>ok</b>", enabled = true, scope = new { kind = "Host", name = "esx-1" }, vmIds = new[] { 1, 2 } });
        Assert.Contains("\\u003C", stored);

        var pairs = AuditDetails.Pairs(stored);

        Assert.Equal(
        [
            new AuditDetail("Local start", "2027-01-02 22:00"),
            new AuditDetail("Comment", "<b>ok</b>"),
            new AuditDetail("Enabled", "yes"),
            new AuditDetail("Scope · Kind", "Host"),
            new AuditDetail("Scope · Name", "esx-1"),
            new AuditDetail("VM IDs", "1, 2"),
        ], pairs);
    }

    [Fact]
    public void Pairs_ShowsTextAsItIs_WhenDetailsAreNotJson() =>
        Assert.Equal([new AuditDetail("Details", "signed in from 10.0.0.1")], AuditDetails.Pairs("signed in from 10.0.0.1"));

    [Fact]
    public void Pairs_ListsRecordsAsItems_NotAsJson()
    {
        // As a deleted storage map's entries are stored: the domain's records, enums as numbers.
        var stored = JsonSerializer.Serialize(new { change = "deleted", entries = new[] { new { SourceDatastore = "ds-1", TargetPool = "fast", Format = 1 }, new { SourceDatastore = "ds-2", TargetPool = "bulk", Format = 0 } } });

        var entries = Assert.Single(AuditDetails.Pairs(stored), d => d.Label == "Entries");

        Assert.Equal("", entries.Value);
        Assert.Equal(2, entries.Items.Count);
        Assert.Equal([new AuditDetail("Source datastore", "ds-1"), new AuditDetail("Target pool", "fast"), new AuditDetail("Format", "1")], entries.Items[0]);
        Assert.Equal([new AuditDetail("Source datastore", "ds-2"), new AuditDetail("Target pool", "bulk"), new AuditDetail("Format", "0")], entries.Items[1]);
    }

    [Fact]
    public void Pairs_AsksForWordsOfEveryValue_InsideItemsToo()
    {
        var stored = JsonSerializer.Serialize(new { status = 2, entries = new[] { new { Format = 1 } } });

        var pairs = AuditDetails.Pairs(stored, (key, value) => value.ValueKind == JsonValueKind.Number ? $"{key}={value.GetInt32()} in words" : null);

        Assert.Equal(new AuditDetail("Status", "status=2 in words"), pairs[0]);
        Assert.Equal([new AuditDetail("Format", "Format=1 in words")], pairs[1].Items[0]);
    }

    [Fact]
    public void Pairs_ReadsInstantsInUtc_AndLeavesLocalTimesAlone()
    {
        var stored = JsonSerializer.Serialize(new { plannedStart = new DateTimeOffset(2026, 12, 4, 18, 30, 5, TimeSpan.FromHours(1)), localStart = "2027-01-02T22:00:00", none = Array.Empty<string>() });

        Assert.Equal(
        [
            new AuditDetail("Planned start", "2026-12-04 17:30:05 UTC"),
            new AuditDetail("Local start", "2027-01-02T22:00:00"),
            new AuditDetail("None", "none"),
        ], AuditDetails.Pairs(stored));
    }

    [Fact]
    public void Detail_EqualsAnotherWithTheSameItems_AndNotOneWithOtherItems()
    {
        var a = new AuditDetail("Entries", "") { Items = [[new AuditDetail("Format", "qcow2")]] };
        Assert.Equal(a, new AuditDetail("Entries", "") { Items = [[new AuditDetail("Format", "qcow2")]] });
        Assert.NotEqual(a, new AuditDetail("Entries", "") { Items = [[new AuditDetail("Format", "raw")]] });
        Assert.NotEqual(a, new AuditDetail("Entries", ""));
    }
}
