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
            new AuditDetail("Vm ids", "1, 2"),
        ], pairs);
    }

    [Fact]
    public void Pairs_ShowsTextAsItIs_WhenDetailsAreNotJson() =>
        Assert.Equal([new AuditDetail("Details", "signed in from 10.0.0.1")], AuditDetails.Pairs("signed in from 10.0.0.1"));
}
