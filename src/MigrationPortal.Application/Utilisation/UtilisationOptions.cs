using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Application.Utilisation;

/// <summary>Bound from "Utilisation": how often host and VM load is read, and how long it is kept.</summary>
public sealed class UtilisationOptions
{
    public const string Section = "Utilisation";

    /// <summary>Whether the recurring collection and retention jobs are scheduled.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Minutes between two readings of a connection (a divisor of 60). Samples are stored in 5-minute slots whatever the
    /// interval: a shorter one only makes a missed reading less likely, since a second reading in a slot is ignored.
    /// </summary>
    [Range(1, 60)]
    public int IntervalMinutes { get; set; } = 5;

    /// <summary>How long 5-minute samples are kept before they are averaged into hourly ones.</summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long hourly samples are kept before they are deleted.</summary>
    public TimeSpan HourlyRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The collection's cron: every <see cref="IntervalMinutes"/> minutes.</summary>
    public string CollectionCron => IntervalMinutes >= 60 ? "0 * * * *" : $"*/{IntervalMinutes} * * * *";

    public bool IsValid => 60 % IntervalMinutes == 0 && RawRetention >= TimeSpan.FromHours(1) && HourlyRetention >= RawRetention;
}
