namespace MigrationPortal.Application.Notifications;

/// <summary>
/// How far the mailer has read the audit trail, and which node holds the lease to send now. One row per reader. The lease
/// is taken with a conditional UPDATE, so on several nodes exactly one sends, and a node that dies lets the lease lapse
/// for another to resume from <see cref="LastSequence"/>: nothing is lost, and at worst one event's mails go out twice.
/// </summary>
public sealed class NotificationCursor
{
    public string Id { get; set; } = "";

    /// <summary>The last audit event sequence whose mails were sent.</summary>
    public long LastSequence { get; set; }

    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
}
