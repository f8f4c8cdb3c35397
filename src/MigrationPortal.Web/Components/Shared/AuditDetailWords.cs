using System.Globalization;
using System.Text.Json;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Rules;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Rules;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>
/// Enum values in an audit event's stored details, in the words the rest of the portal uses: a job step's "status": 2
/// reads "Succeeded", a storage entry's "Format": 1 "qcow2", a request's "kind": "ComputeAndStorage" "Compute and
/// storage". Older events stored enums as numbers, newer ones mostly as names; both are read. The stored text is never
/// changed (the hash chain covers it, the exports carry it): this is only how the audit page shows it.
/// </summary>
public static class AuditDetailWords
{
    // Which enum a property holds, by its stored name (case ignored). A name with several candidates ("kind") takes the
    // first enum that defines the value: a number under "kind" is only ever a MigrationKind (the approval rules).
    private static readonly Dictionary<string, Type[]> EnumsByKey = new(StringComparer.OrdinalIgnoreCase)
    {
        ["kind"] = [typeof(MigrationKind), typeof(PlacementRuleKind), typeof(OwnerKind), typeof(NetworkTargetKind)],
        ["targetKind"] = [typeof(NetworkTargetKind)],
        ["format"] = [typeof(ConvertedDiskFormat)],
        ["status"] = [typeof(StepStatus)],
        ["outcome"] = [typeof(ApprovalOutcome)],
        ["from"] = [typeof(RequestState)],
        ["to"] = [typeof(RequestState)],
        ["state"] = [typeof(RequestState)],
        ["schedule"] = [typeof(ScheduleMode)],
        ["scheduleMode"] = [typeof(ScheduleMode)],
        ["recurrence"] = [typeof(RecurrenceKind)],
        ["enforcement"] = [typeof(RuleEnforcement)],
        ["afterSuccess"] = [typeof(SourceAfterConversion)],
        ["verdict"] = [typeof(Verdict)],
    };

    /// <summary>The words for <paramref name="value"/> stored under <paramref name="key"/>, or null when it is no enum value.</summary>
    public static string? Of(string key, JsonElement value)
    {
        if (!EnumsByKey.TryGetValue(key, out var candidates)) return null;
        foreach (var type in candidates)
        {
            object? member = value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt32(out var n) && Enum.IsDefined(type, n) => Enum.ToObject(type, n),
                // Names only as written by ToString(): "1" or "compute" in free text is not an enum value.
                JsonValueKind.String when Enum.GetNames(type).Contains(value.GetString(), StringComparer.Ordinal) => Enum.Parse(type, value.GetString()!),
                _ => null,
            };
            if (member is not null) return Words(member);
        }

        return null;
    }

    private static string Words(object member) => member switch
    {
        MigrationKind kind => KindNames.Words(kind),
        RequestState state => RequestStateNames.Of(state),
        PlacementRuleKind rule => Capitalised(RuleAccess.Describe(rule)),
        ConvertedDiskFormat format => format.ToString().ToLowerInvariant(),
        ScheduleMode.AsSoonAsApproved => "As soon as approved",
        ScheduleMode.NextWindow => "Next maintenance window",
        ScheduleMode.SpecificTime => "At a chosen time",
        ScheduleMode.ChosenWindow => "In a chosen window",
        RecurrenceKind.OneOff => "One-off",
        RecurrenceKind.RRule => "Recurring (RRULE)",
        RecurrenceKind.Cron => "Recurring (cron)",
        ApprovalOutcome.AutoApprove => "Approve automatically",
        ApprovalOutcome.RequireApprovals => "Require approvals",
        SourceAfterConversion.KeepOffAndAnnotate => "Keep powered off, with a note",
        SourceAfterConversion.KeepOff => "Keep powered off",
        _ => Spaced(member.ToString()!),
    };

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    /// <summary>"KeepApart" reads "Keep apart"; a single word stays as it is.</summary>
    private static string Spaced(string name)
    {
        var words = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1])) words.Append(' ').Append(char.ToLowerInvariant(name[i]));
            else words.Append(name[i]);
        }

        return words.ToString();
    }
}
