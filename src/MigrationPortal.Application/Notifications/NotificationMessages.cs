using System.Text;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Notifications;

/// <summary>The moments the portal mails people about.</summary>
public enum NotificationKind
{
    ApprovalNeeded,
    Approved,
    Rejected,
    Deferred,
    Started,
    Succeeded,
    Failed,
}

/// <summary>
/// The plain-text mails: what happened to which VM, why, and a link to the request. Text only, so every mail client
/// shows the same thing and nothing in a mail can run. Nothing here reads settings beyond the portal's address.
/// </summary>
public static class NotificationMessages
{
    public static (string Subject, string Body) Compose(NotificationKind kind, MigrationRequest request, string recipientName, string? reason, string portalBaseUrl)
    {
        var baseUrl = portalBaseUrl.TrimEnd('/');
        var demo = request.IsDemo ? "[Demo] " : "";
        var move = $"{request.VmName} ({Describe(request.Kind)} to {request.Target.Describe()})";
        var subject = demo + kind switch
        {
            NotificationKind.ApprovalNeeded => $"Approval needed: {move}",
            NotificationKind.Approved => $"Approved: {move}",
            NotificationKind.Rejected => $"Rejected: {move}",
            NotificationKind.Deferred => $"Deferred: {move}",
            NotificationKind.Started => $"Started: {move}",
            NotificationKind.Succeeded => $"Succeeded: {move}",
            NotificationKind.Failed => $"Failed: {move}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        var headline = kind switch
        {
            NotificationKind.ApprovalNeeded => $"{request.RequesterName} asks to move VM {request.VmName}. Your decision is needed.",
            NotificationKind.Approved => $"The move of VM {request.VmName} was approved.",
            NotificationKind.Rejected => $"The move of VM {request.VmName} was rejected.",
            NotificationKind.Deferred => $"The move of VM {request.VmName} was deferred to a later start.",
            NotificationKind.Started => $"The move of VM {request.VmName} has started.",
            NotificationKind.Succeeded => $"VM {request.VmName} has moved.",
            NotificationKind.Failed => $"The move of VM {request.VmName} failed. The VM stays where it was unless the request says otherwise.",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        var body = new StringBuilder()
            .AppendLine($"Hello {recipientName},")
            .AppendLine()
            .AppendLine(headline)
            .AppendLine();
        if (!string.IsNullOrWhiteSpace(reason)) body.AppendLine($"Reason: {reason.Trim()}");
        body.AppendLine($"VM: {request.VmName}");
        if (request.ApplicationName is { } app) body.AppendLine($"Application: {app}");
        body.AppendLine($"Move: {Describe(request.Kind)}{(request.Live ? ", live" : "")}, from host {request.SourceHostName ?? "?"} to {request.Target.Describe()}");
        body.AppendLine($"Requested by: {request.RequesterName}");
        if (kind == NotificationKind.ApprovalNeeded)
        {
            body.AppendLine($"Justification: {request.Justification}");
            if (request.PolicyReason is { } policy) body.AppendLine($"Policy: {policy}");
            if (request.ExpiresAt is { } expires) body.AppendLine($"Decide before: {expires:yyyy-MM-dd HH:mm} UTC");
            body.AppendLine().AppendLine($"Decide in the approvals inbox: {baseUrl}/approvals");
        }

        body.AppendLine().AppendLine($"Request: {baseUrl}/requests/{request.Id}");
        body.AppendLine().AppendLine("-- ").AppendLine(request.IsDemo ? "MigrationPortal (Demo data: nothing real moves)" : "MigrationPortal");
        return (subject, body.ToString());
    }

    private static string Describe(MigrationKind kind) => kind switch
    {
        MigrationKind.Compute => "compute move",
        MigrationKind.Storage => "storage move",
        MigrationKind.ComputeAndStorage => "compute and storage move",
        MigrationKind.CrossPlatform => "cross-platform move",
        _ => kind.ToString(),
    };
}
