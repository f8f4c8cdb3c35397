using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Domain.Audit;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Notifications;

/// <summary>
/// The mailer, run as a recurring job on every node. It reads the audit trail after a cursor kept in the database and
/// mails the people each event concerns: approval needed to the approvers who may decide, approved or rejected to the
/// requester, deferred, started, succeeded and failed to the requester and the Operators.
/// <para>
/// Working from the audit trail rather than from the use cases means a mail is never lost when a node dies between a
/// commit and a send: the event is committed with the change, and the cursor moves only after the event's mails went
/// out. A lease on the cursor row, taken by a conditional UPDATE, lets exactly one node send at a time.
/// </para>
/// </summary>
public sealed class SendNotifications(IPortalDb db, IAccountDirectory directory, IMailSender mailer, IOptions<SmtpOptions> options, TimeProvider time,
    ILogger<SendNotifications> log)
{
    public const string CursorId = "email";

    /// <summary>How long a node may hold the cursor without moving it; each sent event renews it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Events older than this are passed over: after a long outage, yesterday's "started" mail is noise, not news.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromDays(1);

    private const int BatchSize = 200;

    private readonly string _owner = Guid.NewGuid().ToString("N");
    private readonly Dictionary<Guid, MigrationRequest?> _requests = [];
    private IReadOnlyList<Contact>? _contacts;

    /// <summary>What one run did. <see cref="HeldLease"/> is false when email is off or another node was sending.</summary>
    public sealed record Outcome(bool HeldLease, int EventsHandled, int MailsSent);

    public async Task<Outcome> HandleAsync(CancellationToken ct = default)
    {
        if (!options.Value.IsEnabled) return new Outcome(false, 0, 0);
        await EnsureCursorAsync(ct);
        if (!await TryClaimAsync(ct)) return new Outcome(false, 0, 0);

        var handled = 0;
        var sent = 0;
        IMailSession? session = null;
        try
        {
            while (true)
            {
                var last = await db.NotificationCursors.AsNoTracking().Where(c => c.Id == CursorId).Select(c => c.LastSequence).FirstAsync(ct);
                var head = (await db.GetAuditChainHeadAsync(ct))?.Sequence ?? 0;
                var events = await db.AuditEvents.AsNoTracking()
                    .Where(e => e.Sequence > last && e.Sequence <= head && (e.Action == AuditActions.RequestTransition || e.Action == AuditActions.RequestDeferred))
                    .OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(ct);
                foreach (var e in events)
                {
                    foreach (var mail in await ComposeAsync(e, ct))
                    {
                        session ??= await mailer.OpenAsync(ct);
                        if (await session.SendAsync(mail, ct)) sent++;
                        else log.LogWarning("The mail server refused a notification for audit event {Sequence}; it is not retried.", e.Sequence);
                    }

                    if (!await AdvanceAsync(e.Sequence, ct)) return new Outcome(false, handled, sent);
                    handled++;
                }

                if (events.Count < BatchSize)
                {
                    // Everything up to the head was read; skip the events that concern no one, so the next run starts there.
                    if (head > last && !await AdvanceAsync(head, ct)) return new Outcome(false, handled, sent);
                    return new Outcome(true, handled, sent);
                }
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
            await db.NotificationCursors.Where(c => c.Id == CursorId && c.LeaseOwner == _owner)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseOwner, (string?)null).SetProperty(c => c.LeaseUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }

    /// <summary>The first run starts at the current end of the trail: turning email on does not mail the whole history.</summary>
    private async Task EnsureCursorAsync(CancellationToken ct)
    {
        if (await db.NotificationCursors.AnyAsync(c => c.Id == CursorId, ct)) return;
        var head = (await db.GetAuditChainHeadAsync(ct))?.Sequence ?? 0;
        db.NotificationCursors.Add(new NotificationCursor { Id = CursorId, LastSequence = head });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node created it at the same moment; theirs is as good.
            db.DiscardChanges();
        }
    }

    private async Task<bool> TryClaimAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + Lease;
        var claimed = await db.NotificationCursors
            .Where(c => c.Id == CursorId && (c.LeaseUntil == null || c.LeaseUntil < now || c.LeaseOwner == _owner))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseOwner, _owner).SetProperty(c => c.LeaseUntil, until), ct);
        return claimed == 1;
    }

    /// <summary>Moves the cursor and renews the lease, only while this run still holds it.</summary>
    private async Task<bool> AdvanceAsync(long sequence, CancellationToken ct)
    {
        var until = time.GetUtcNow() + Lease;
        var moved = await db.NotificationCursors.Where(c => c.Id == CursorId && c.LeaseOwner == _owner)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, sequence).SetProperty(c => c.LeaseUntil, until), ct);
        if (moved == 0) log.LogWarning("Another node took over the notification cursor; this run stops at audit event {Sequence}.", sequence);
        return moved == 1;
    }

    private async Task<IReadOnlyList<OutgoingMail>> ComposeAsync(AuditEvent e, CancellationToken ct)
    {
        if (e.RequestId is not { } requestId || e.At < time.GetUtcNow() - StaleAfter) return [];
        var (kind, reason) = Classify(e);
        if (kind is null) return [];
        if (!_requests.TryGetValue(requestId, out var request))
            _requests[requestId] = request = await db.Requests.AsNoTracking().Include(r => r.Decisions).FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null) return [];

        _contacts ??= await directory.ListContactsAsync(ct);
        var recipients = kind switch
        {
            NotificationKind.ApprovalNeeded => _contacts.Where(c => c.Roles.Contains(Roles.Approver) && c.UserId != request.RequesterId
                && (request.ApproverGroup is null || c.Groups.Contains(request.ApproverGroup))
                && request.Decisions.All(d => d.ApproverId != c.UserId)),
            NotificationKind.Approved or NotificationKind.Rejected => _contacts.Where(c => c.UserId == request.RequesterId),
            _ => _contacts.Where(c => c.UserId == request.RequesterId || c.Roles.Contains(Roles.Operator)),
        };

        var baseUrl = options.Value.PortalBaseUrl ?? "";
        return recipients
            .DistinctBy(c => c.Email.Trim().ToLowerInvariant())
            .Select(c =>
            {
                var (subject, body) = NotificationMessages.Compose(kind.Value, request, c.DisplayName, reason, baseUrl);
                return new OutgoingMail(c.Email.Trim(), c.DisplayName, subject, body);
            })
            .ToList();
    }

    /// <summary>Which notification an audit event means, if any, and the reason it carries.</summary>
    public static (NotificationKind? Kind, string? Reason) Classify(AuditEvent e)
    {
        var details = ReadDetails(e.Details);
        if (e.Action == AuditActions.RequestDeferred) return (NotificationKind.Deferred, details.GetValueOrDefault("reason") ?? (details.Count == 0 ? e.Details : null));
        if (e.Action != AuditActions.RequestTransition) return (null, null);
        if (!Enum.TryParse<RequestState>(details.GetValueOrDefault("from"), out var from) || !Enum.TryParse<RequestState>(details.GetValueOrDefault("to"), out var to))
            return (null, null);
        var reason = details.GetValueOrDefault("reason");
        NotificationKind? kind = (from, to) switch
        {
            (_, RequestState.PendingApproval) => NotificationKind.ApprovalNeeded,
            // Failed -> Approved is an operator's retry, not a decision: the requester hears when it starts.
            (RequestState.PendingApproval or RequestState.Submitted, RequestState.Approved) => NotificationKind.Approved,
            (_, RequestState.Rejected) => NotificationKind.Rejected,
            (RequestState.Approved or RequestState.Scheduled, RequestState.Running) => NotificationKind.Started,
            (_, RequestState.Succeeded) => NotificationKind.Succeeded,
            (_, RequestState.Failed) => NotificationKind.Failed,
            _ => null,
        };
        return (kind, reason);
    }

    private static Dictionary<string, string?> ReadDetails(string text)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(text) || !text.TrimStart().StartsWith('{')) return values;
        try
        {
            using var json = JsonDocument.Parse(text);
            foreach (var p in json.RootElement.EnumerateObject())
                values[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString();
        }
        catch (JsonException)
        {
            // Details are free text for some actions; such an event simply carries no fields.
        }

        return values;
    }
}
