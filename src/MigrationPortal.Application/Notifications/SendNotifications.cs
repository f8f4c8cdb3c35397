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
    private readonly Dictionary<Guid, string> _batchNames = [];
    private IReadOnlyList<Contact>? _contacts;
    private IMailSession? _session;

    /// <summary>One event that concerns people: what happened, why, to which request.</summary>
    private sealed record Notice(AuditEvent Event, NotificationKind Kind, string? Reason, MigrationRequest Request)
    {
        public bool SameGroupAs(Notice other) => Kind == other.Kind && Request.BatchId is { } batch && other.Request.BatchId == batch;
    }

    /// <summary>What one run did. <see cref="HeldLease"/> is false when email is off or another node was sending.</summary>
    public sealed record Outcome(bool HeldLease, int EventsHandled, int MailsSent);

    public async Task<Outcome> HandleAsync(CancellationToken ct = default)
    {
        if (!options.Value.IsEnabled) return new Outcome(false, 0, 0);
        await EnsureCursorAsync(ct);
        if (!await TryClaimAsync(ct)) return new Outcome(false, 0, 0);

        var handled = 0;
        var sent = 0;
        try
        {
            while (true)
            {
                var last = await db.NotificationCursors.AsNoTracking().Where(c => c.Id == CursorId).Select(c => c.LastSequence).FirstAsync(ct);
                var head = (await db.GetAuditChainHeadAsync(ct))?.Sequence ?? 0;
                var events = await db.AuditEvents.AsNoTracking()
                    .Where(e => e.Sequence > last && e.Sequence <= head && (e.Action == AuditActions.RequestTransition || e.Action == AuditActions.RequestDeferred
                        || e.Action == AuditActions.RequestWatchRegressed))
                    .OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(ct);

                // Consecutive events of one kind for one batch (an evacuation's ten "approval needed") become one mail per person.
                // The cursor moves after each group's mails are out, so a crash re-sends at most one group.
                var group = new List<Notice>();
                var processed = last;
                foreach (var e in events)
                {
                    var notice = await NoticeForAsync(e, ct);
                    if (notice is not null && group.Count > 0 && !notice.SameGroupAs(group[0]))
                    {
                        sent += await SendGroupAsync(group, ct);
                        if (!await AdvanceAsync(processed, ct)) return new Outcome(false, handled, sent);
                        group.Clear();
                    }

                    if (notice is not null) group.Add(notice);
                    processed = e.Sequence;
                    handled++;
                }

                if (group.Count > 0) sent += await SendGroupAsync(group, ct);
                var upTo = events.Count < BatchSize ? head : processed;
                // Everything read was handled; also skip what concerns no one, so the next run starts at the end.
                if (upTo > last && !await AdvanceAsync(upTo, ct)) return new Outcome(false, handled, sent);
                if (events.Count < BatchSize) return new Outcome(true, handled, sent);
            }
        }
        finally
        {
            if (_session is not null) await _session.DisposeAsync();
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

    private async Task<Notice?> NoticeForAsync(AuditEvent e, CancellationToken ct)
    {
        if (e.RequestId is not { } requestId || e.At < time.GetUtcNow() - StaleAfter) return null;
        var (kind, reason) = Classify(e);
        if (kind is null) return null;
        if (!_requests.TryGetValue(requestId, out var request))
            _requests[requestId] = request = await db.Requests.AsNoTracking().Include(r => r.Decisions).FirstOrDefaultAsync(r => r.Id == requestId, ct);
        return request is null ? null : new Notice(e, kind.Value, reason, request);
    }

    /// <summary>Sends a group's mails: one per person, listing every request of the group that concerns them.</summary>
    private async Task<int> SendGroupAsync(IReadOnlyList<Notice> group, CancellationToken ct)
    {
        _contacts ??= await directory.ListContactsAsync(ct);
        var baseUrl = options.Value.PortalBaseUrl ?? "";
        var perPerson = group
            .SelectMany(n => RecipientsOf(n).Select(c => (Contact: c, Notice: n)))
            .GroupBy(x => x.Contact.Email.Trim().ToLowerInvariant());
        var sent = 0;
        foreach (var person in perPerson)
        {
            var contact = person.First().Contact;
            var notices = person.Select(x => x.Notice).DistinctBy(n => n.Request.Id).ToList();
            var (subject, body) = notices.Count == 1
                ? NotificationMessages.Compose(notices[0].Kind, notices[0].Request, contact.DisplayName, notices[0].Reason, baseUrl)
                : NotificationMessages.ComposeForBatch(notices[0].Kind, await BatchNameAsync(notices[0].Request.BatchId!.Value, ct),
                    notices.Select(n => (n.Request, n.Reason)).ToList(), contact.DisplayName, baseUrl);
            _session ??= await mailer.OpenAsync(ct);
            if (await _session.SendAsync(new OutgoingMail(contact.Email.Trim(), contact.DisplayName, subject, body), ct)) sent++;
            else log.LogWarning("The mail server refused a notification for audit event {Sequence}; it is not retried.", notices[0].Event.Sequence);
        }

        return sent;
    }

    private IEnumerable<Contact> RecipientsOf(Notice n)
    {
        var request = n.Request;
        return n.Kind switch
        {
            NotificationKind.ApprovalNeeded => _contacts!.Where(c => c.Roles.Contains(Roles.Approver) && c.UserId != request.RequesterId
                && (request.ApproverGroup is null || c.Groups.Contains(request.ApproverGroup))
                && request.Decisions.All(d => d.ApproverId != c.UserId)),
            NotificationKind.Approved or NotificationKind.Rejected => _contacts!.Where(c => c.UserId == request.RequesterId),
            _ => _contacts!.Where(c => c.UserId == request.RequesterId || c.Roles.Contains(Roles.Operator)),
        };
    }

    private async Task<string> BatchNameAsync(Guid batchId, CancellationToken ct)
    {
        if (!_batchNames.TryGetValue(batchId, out var name))
            _batchNames[batchId] = name = await db.Batches.AsNoTracking().Where(b => b.Id == batchId).Select(b => b.Name).FirstOrDefaultAsync(ct) ?? "batch";
        return name;
    }

    /// <summary>Which notification an audit event means, if any, and the reason it carries.</summary>
    public static (NotificationKind? Kind, string? Reason) Classify(AuditEvent e)
    {
        var details = ReadDetails(e.Details);
        if (e.Action == AuditActions.RequestWatchRegressed) return (NotificationKind.Regressed, details.GetValueOrDefault("reason"));
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
