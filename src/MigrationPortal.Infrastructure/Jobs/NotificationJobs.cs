using System.ComponentModel;
using Hangfire;
using MigrationPortal.Application.Notifications;

namespace MigrationPortal.Infrastructure.Jobs;

/// <summary>Hangfire's entry point for the mailer. Every node may run it; the cursor's lease lets one send at a time.</summary>
public sealed class NotificationJobs(SendNotifications send)
{
    public const string SendJobId = "send-notifications";

    [DisplayName("Send notification mails")]
    [AutomaticRetry(Attempts = 0)]
    public Task SendAsync(CancellationToken ct) => send.HandleAsync(ct);
}
