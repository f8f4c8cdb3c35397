using System.Text.Json;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The audit page's enum values in words (issue 13 §4): stored numbers and enum names read as the rest of the portal says them.</summary>
public sealed class AuditDetailWordsTests
{
    private static string? Words(string key, string json) => AuditDetailWords.Of(key, JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("Format", "1", "qcow2")]
    [InlineData("format", "\"Raw\"", "raw")]
    [InlineData("TargetKind", "1", "Bridge")]
    [InlineData("status", "2", "Succeeded")]
    [InlineData("Outcome", "0", "Approve automatically")]
    [InlineData("kind", "\"ComputeAndStorage\"", "Compute and storage")]
    [InlineData("Kind", "3", "VMware → KVM conversion")]
    [InlineData("kind", "\"KeepApart\"", "Keep apart")]
    [InlineData("to", "\"PendingApproval\"", "Pending approval")]
    [InlineData("from", "\"RolledBack\"", "Rolled back")]
    [InlineData("schedule", "\"AsSoonAsApproved\"", "As soon as approved")]
    [InlineData("recurrence", "\"OneOff\"", "One-off")]
    [InlineData("afterSuccess", "\"KeepOffAndAnnotate\"", "Keep powered off, with a note")]
    public void Of_SaysAnEnumValueInWords(string key, string json, string expected) => Assert.Equal(expected, Words(key, json));

    [Theory]
    [InlineData("kind", "\"vsphere\"")]      // a connection's kind is a code, not an enum: the page names it from the connector
    [InlineData("Format", "7")]              // no such member: shown as stored, not guessed
    [InlineData("to", "\"2026-12-05\"")]     // an export filter's end date under the same name
    [InlineData("comment", "\"Succeeded\"")] // free text that happens to be an enum name stays free text
    [InlineData("status", "\"succeeded\"")]  // only names as ToString() writes them
    public void Of_LeavesOtherValuesAlone(string key, string json) => Assert.Null(Words(key, json));
}
