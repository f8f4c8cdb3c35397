using Cronos;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Scheduling;

namespace MigrationPortal.Application.Scheduling;

/// <summary>A half-open interval [Start, End) in UTC.</summary>
public readonly record struct TimeSlot(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Overlaps(TimeSlot other) => Start < other.End && other.Start < End;
}

/// <summary>
/// When a maintenance window (or a blackout) is open: a one-off start, an iCalendar RRULE (Ical.Net) or a cron expression
/// (Cronos), read in an IANA time zone, each occurrence lasting <see cref="Duration"/>.
/// Daylight saving: occurrences keep their local wall-clock start across the change (22:00 stays 22:00), and the duration is
/// elapsed time. A local start that does not exist on spring-forward day moves forward past the gap; one that happens twice
/// on fall-back day is taken once, at its first instance (Cronos's and RFC 5545's rules).
/// </summary>
public sealed partial record WindowSchedule(RecurrenceKind Kind, string? Expression, string TimeZoneId, DateTime LocalStart, TimeSpan Duration)
{
    /// <summary>The schedule a stored window or blackout describes.</summary>
    public static WindowSchedule Of(CalendarPeriod period) =>
        new(period.Recurrence, period.Expression, period.TimeZoneId, period.LocalStart, period.Duration);

    /// <summary>
    /// The most occurrences one query expands for one window or blackout: an hourly window over the planner's 400-day
    /// horizon (9,600) fits. A stored rule that opens more often (saved before <see cref="Validate"/> refused it) is cut
    /// off here instead of expanding without end.
    /// </summary>
    public const int MaxOccurrencesPerQuery = 10_000;

    /// <summary>Cron shorthands that open at most once an hour (Cronos also knows @every_minute and @every_second).</summary>
    private static readonly string[] HourlyOrSlowerMacros = ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"];

    /// <summary>
    /// Checks every field and throws one validation error naming each bad field. A new or edited window or blackout may
    /// open at most once an hour: a rule that opens every second or minute expands to millions of occurrences.
    /// </summary>
    public void Validate() => Check(forSave: true);

    private void Check(bool forSave)
    {
        var check = new Validation();
        check.Require(Duration > TimeSpan.Zero, nameof(Duration), "A window must last longer than zero.");
        check.Require(Duration <= TimeSpan.FromDays(14), nameof(Duration), "A window lasts at most 14 days.");
        if (string.IsNullOrWhiteSpace(TimeZoneId)) check.Add(nameof(TimeZoneId), "Choose a time zone, such as Europe/Berlin.");
        else if (!TryZone(out _)) check.Add(nameof(TimeZoneId), $"'{TimeZoneId}' is not an IANA time zone such as Europe/Berlin or America/New_York.");
        switch (Kind)
        {
            case RecurrenceKind.Cron:
                if (string.IsNullOrWhiteSpace(Expression) || !CronExpression.TryParse(Expression, out _))
                    check.Add(nameof(Expression), $"'{Expression}' is not a valid cron expression (five fields: minute hour day month weekday).");
                else if (forSave && !CronAtMostHourly(Expression))
                    check.Add(nameof(Expression), $"'{Expression}' opens more than once an hour; give the minute as one number (such as 0 22 * * 6), or use @hourly or slower.");
                break;
            case RecurrenceKind.RRule:
                if (!TryRule(out var problem, out var pattern)) check.Add(nameof(Expression), $"'{Expression}' is not a valid iCalendar RRULE: {problem}");
                else if (forSave && RuleMoreThanHourly(pattern!) is { } tooOften) check.Add(nameof(Expression), $"'{Expression}' {tooOften}");
                break;
        }

        check.ThrowIfInvalid();
    }

    /// <summary>Occurrences that are open at any moment in [from, to), in start order.</summary>
    public IEnumerable<TimeSlot> Occurrences(DateTimeOffset from, DateTimeOffset to)
    {
        // A stored rule is expanded as it is, however often it opens; the cap below bounds it.
        Check(forSave: false);
        TryZone(out var zone);
        // Start looking one duration early, so a window already open at 'from' is included.
        var searchFrom = from - Duration;
        IEnumerable<DateTimeOffset> starts = Kind switch
        {
            RecurrenceKind.OneOff => [LocalToUtc(LocalStart, zone!)],
            RecurrenceKind.Cron => CronExpression.Parse(Expression!)
                .GetOccurrences(searchFrom.UtcDateTime, to.UtcDateTime, zone!, fromInclusive: true, toInclusive: false)
                .Select(d => new DateTimeOffset(d, TimeSpan.Zero)),
            _ => RuleStarts(searchFrom, to, zone!),
        };
        var expanded = 0;
        foreach (var start in starts)
        {
            if (start >= to || ++expanded > MaxOccurrencesPerQuery) yield break;
            var slot = new TimeSlot(start, start + Duration);
            if (slot.End > from) yield return slot;
        }
    }

    private IEnumerable<DateTimeOffset> RuleStarts(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var rule = new RecurrencePattern(Expression!);
        var calendarEvent = new CalendarEvent
        {
            DtStart = new CalDateTime(DateTime.SpecifyKind(SeriesStartNear(rule, from, zone), DateTimeKind.Unspecified), TimeZoneId, true),
            Duration = Ical.Net.DataTypes.Duration.FromSeconds((int)Duration.TotalSeconds),
            RecurrenceRule = rule,
        };
        foreach (var occurrence in calendarEvent.GetOccurrences(new CalDateTime(from.UtcDateTime, "UTC", true)))
        {
            var start = new DateTimeOffset(occurrence.Period.StartTime.AsUtc, TimeSpan.Zero);
            if (start >= to) yield break;
            yield return start;
        }
    }

    /// <summary>
    /// Where Ical.Net starts counting. It walks every occurrence from the series' start, so a stored every-second rule
    /// that began a month ago cost millions of steps before the query's first. For such a rule (saved before they were
    /// refused; no COUNT), the series is restarted a whole number of steps later, just before the query: same instants.
    /// </summary>
    private DateTime SeriesStartNear(RecurrencePattern rule, DateTimeOffset from, TimeZoneInfo zone)
    {
        if (rule.Frequency is not (FrequencyType.Secondly or FrequencyType.Minutely) || rule.Count is not null) return LocalStart;
        var step = TimeSpan.FromSeconds(Math.Max(1, rule.Interval) * (rule.Frequency == FrequencyType.Secondly ? 1 : 60));
        var fromLocal = TimeZoneInfo.ConvertTime(from, zone).DateTime - TimeSpan.FromHours(2); // a margin for a daylight-saving shift
        if (fromLocal <= LocalStart) return LocalStart;
        return LocalStart + step * Math.Floor((fromLocal - LocalStart) / step);
    }

    private bool TryZone(out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(TimeZoneId) || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out zone)) return false;
        // Windows-style names are found too on some systems; the portal stores IANA names only.
        return TimeZoneInfo.TryConvertIanaIdToWindowsId(TimeZoneId, out _) || TimeZoneId == "UTC";
    }

    private static bool CronAtMostHourly(string expression)
    {
        var text = expression.Trim();
        if (text.StartsWith('@')) return HourlyOrSlowerMacros.Contains(text, StringComparer.OrdinalIgnoreCase);
        // Five fields (Cronos's standard format, minute first): one fixed minute opens at most once an hour.
        var minute = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
        return minute.All(char.IsAsciiDigit);
    }

    /// <summary>Why the rule opens more than once an hour, or null when it does not.</summary>
    private static string? RuleMoreThanHourly(RecurrencePattern pattern)
    {
        if (pattern.Frequency is FrequencyType.Secondly or FrequencyType.Minutely)
            return "repeats every second or minute, more than once an hour; a window or blackout opens at most hourly (FREQ=HOURLY or slower).";
        if (pattern.ByMinute.Count > 1 || pattern.BySecond.Count > 1)
            return "lists several minutes or seconds (BYMINUTE, BYSECOND), so it opens more than once an hour; give one of each at most.";
        return null;
    }

    private bool TryRule(out string problem, out RecurrencePattern? pattern)
    {
        problem = "";
        pattern = null;
        if (string.IsNullOrWhiteSpace(Expression) || !Expression.Contains("FREQ=", StringComparison.OrdinalIgnoreCase))
        {
            problem = "it needs at least FREQ=..., for example FREQ=WEEKLY;BYDAY=SA.";
            return false;
        }

        try
        {
            pattern = new RecurrencePattern(Expression);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            problem = RuleProblem(e);
            return false;
        }
    }

    /// <summary>
    /// Ical.Net's reason in the user's words: without .NET's "(Parameter 'key')" or "Actual value was" tails, and a number
    /// that does not parse says which text was meant to be one.
    /// </summary>
    private static string RuleProblem(Exception e)
    {
        if (e is FormatException && InputString().Match(e.Message) is { Success: true } number)
            return $"'{number.Groups[1].Value}' should be a whole number (as in INTERVAL=2 or COUNT=5).";
        var message = e.Message.Split('\n')[0].Trim();
        message = ParameterTail().Replace(message, "").Trim();
        if (message.Length == 0) return "check each part, for example FREQ=WEEKLY;BYDAY=SA.";
        return message.EndsWith('.') ? message : message + ".";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*\(Parameter '[^']*'\)\s*$")]
    private static partial System.Text.RegularExpressions.Regex ParameterTail();

    [System.Text.RegularExpressions.GeneratedRegex("input string '([^']*)'")]
    private static partial System.Text.RegularExpressions.Regex InputString();

    private static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A wall-clock time inside the spring-forward gap does not exist: move it forward by the gap.
        while (zone.IsInvalidTime(unspecified)) unspecified = unspecified.AddMinutes(30);
        var offset = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified).Max() : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset).ToUniversalTime();
    }
}
