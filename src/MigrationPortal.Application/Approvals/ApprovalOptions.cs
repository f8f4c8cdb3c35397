using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Application.Approvals;

/// <summary>Bound from the "Approvals" configuration section.</summary>
public sealed class ApprovalOptions
{
    public const string Section = "Approvals";

    /// <summary>How long a request may wait for a decision before it expires.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan ExpireAfter { get; set; } = TimeSpan.FromDays(3);
}
