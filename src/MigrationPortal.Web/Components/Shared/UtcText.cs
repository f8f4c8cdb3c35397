using System.Globalization;

namespace MigrationPortal.Web.Components.Shared;

/// <summary>An instant as people read it, "2026-12-04 17:51:02 UTC", instead of the round-trip "u" form ("…Z") that
/// broke across lines in the itinerary and the timeline and means nothing to most readers.</summary>
public static class UtcText
{
    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Of(DateTimeOffset? at) => at is { } value ? Of(value) : "";
}
