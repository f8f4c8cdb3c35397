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

    /// <summary>The post-move watch found a clear regression; the reason carries the figures before and after.</summary>
    Regressed,
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
            NotificationKind.Regressed => $"Performance regressed after the move: {move}",
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
            NotificationKind.Regressed => request.Kind == MigrationKind.CrossPlatform
                ? $"VM {request.VmName} runs worse on KVM than it did on vSphere. {Requests.PostMoveWatchView.ConversionRollBack}"
                : $"VM {request.VmName} runs worse since its move. The request page offers a one-click roll back to the source host.",
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

    /// <summary>One mail about several requests of one batch that reached the same moment together (an evacuation, say).</summary>
    public static (string Subject, string Body) ComposeForBatch(NotificationKind kind, string batchName, IReadOnlyList<(MigrationRequest Request, string? Reason)> items,
        string recipientName, string portalBaseUrl)
    {
        var baseUrl = portalBaseUrl.TrimEnd('/');
        var first = items[0].Request;
        var demo = items.Any(i => i.Request.IsDemo) ? "[Demo] " : "";
        var what = $"{items.Count} moves in batch '{batchName}'";
        var subject = demo + kind switch
        {
            NotificationKind.ApprovalNeeded => $"Approval needed: {what}",
            NotificationKind.Approved => $"Approved: {what}",
            NotificationKind.Rejected => $"Rejected: {what}",
            NotificationKind.Deferred => $"Deferred: {what}",
            NotificationKind.Started => $"Started: {what}",
            NotificationKind.Succeeded => $"Succeeded: {what}",
            NotificationKind.Failed => $"Failed: {what}",
            NotificationKind.Regressed => $"Performance regressed after {what}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var headline = kind switch
        {
            NotificationKind.ApprovalNeeded => $"{first.RequesterName} asks for {what}. Your decision is needed.",
            NotificationKind.Approved => $"These {what} were approved.",
            NotificationKind.Rejected => $"These {what} were rejected.",
            NotificationKind.Deferred => $"These {what} were deferred to a later start.",
            NotificationKind.Started => $"These {what} have started.",
            NotificationKind.Succeeded => $"These {what} have finished: the VMs have moved.",
            NotificationKind.Failed => $"These {what} failed. Each VM stays where it was unless its request says otherwise.",
            NotificationKind.Regressed => $"These VMs of {what} run worse since their move. Each request page offers a one-click roll back (a conversion's page says how to go back instead).",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

        var body = new StringBuilder().AppendLine($"Hello {recipientName},").AppendLine().AppendLine(headline).AppendLine();
        if (kind == NotificationKind.ApprovalNeeded) body.AppendLine($"Justification: {first.Justification}").AppendLine();
        foreach (var (request, reason) in items)
        {
            body.AppendLine($"- VM {request.VmName}: {Describe(request.Kind)}{(request.Live ? ", live" : "")}, from host {request.SourceHostName ?? "?"} to {request.Target.Describe()}");
            if (!string.IsNullOrWhiteSpace(reason)) body.AppendLine($"  Reason: {reason.Trim()}");
            body.AppendLine($"  {baseUrl}/requests/{request.Id}");
        }

        if (kind == NotificationKind.ApprovalNeeded) body.AppendLine().AppendLine($"Decide on the whole batch in the approvals inbox: {baseUrl}/approvals");
        body.AppendLine().AppendLine("-- ").AppendLine(demo.Length > 0 ? "MigrationPortal (Demo data: nothing real moves)" : "MigrationPortal");
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
