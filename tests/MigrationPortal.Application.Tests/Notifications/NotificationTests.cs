using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Batches;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Notifications;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using netDumbster.smtp;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Notifications;

/// <summary>
/// The mailer reads the audit trail and mails the people each event concerns. Every mail goes through MailKit to a real
/// SMTP server (netDumbster) listening on this machine, and the test reads what arrived there.
/// </summary>
public abstract class NotificationTests(DatabaseProvider provider) : DatabaseTestBase(provider), IDisposable
{
    protected const string PortalUrl = "https://portal.example.test";
    protected const string RitaMail = "rita@example.test";
    protected const string AnnaMail = "anna@example.test";
    protected const string BenMail = "ben@example.test";
    protected const string OlgaMail = "olga@example.test";
    protected const string OscarMail = "oscar@example.test";
    protected const string AdamMail = "adam@example.test";
    protected const string ProdApprovers = "prod-approvers";

    protected readonly SimpleSmtpServer Smtp = SimpleSmtpServer.Start();

    protected override IReadOnlyDictionary<string, string?> Settings => SmtpSettings(Smtp.Configuration.Port, host: "127.0.0.1");

    protected static Dictionary<string, string?> SmtpSettings(int port, string? host) => new()
    {
        ["Smtp:Host"] = host,
        ["Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "MigrationPortal <portal@example.test>",
        ["Smtp:PortalBaseUrl"] = PortalUrl,
    };

    public void Dispose()
    {
        Smtp.Stop();
        Smtp.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Who can be mailed: Entra-style contacts seen at sign-in (Rita also holds Approver, to prove a requester never decides
    /// her own request; Anna approves in the policy's group; Ben approves outside it; Olga operates; Adam administers),
    /// and Oscar, a local operator account whose address is Identity's Email.
    /// </summary>
    protected async Task KnowEveryoneAsync(bool startMailer = true)
    {
        await Remember(User(Requester.Id, Requester.Name, Roles.Requester, Roles.Approver), RitaMail);
        await Remember(new PortalUser(Approver1.Id, Approver1.Name, Approver1.Roles, new HashSet<string> { ProdApprovers }), AnnaMail);
        await Remember(Approver2, BenMail);
        await Remember(PortalHarness.Operator, OlgaMail);
        await Remember(PortalHarness.Admin, AdamMail);
        await Portal.Scoped<CreateLocalUser, AccountView>(u => u.HandleAsync(PortalHarness.Admin,
            new CreateLocalUser.Command("oscar", "Oscar Operator", "A-long-enough-Passw0rd!", [Roles.Operator], OscarMail)));

        // The mailer's first run sets its cursor at the end of the trail; what happens from here on is mailed.
        if (startMailer) await SendAsync();
        Assert.Empty(TakeMail());
    }

    private Task Remember(PortalUser user, string email) => Portal.Scoped<RememberContact>(u => u.HandleAsync(user, email));

    protected Task<SendNotifications.Outcome> SendAsync(PortalHarness? portal = null) =>
        (portal ?? Portal).Scoped<SendNotifications, SendNotifications.Outcome>(s => s.HandleAsync());

    /// <summary>Every mail the SMTP server holds, as (recipient, subject, body), then forgets them.</summary>
    protected List<(string To, string Subject, string Body)> TakeMail()
    {
        var mails = Smtp.ReceivedEmail.Select(m => (
            To: string.Join(",", m.ToAddresses.Select(a => a.Address)),
            Subject: m.Headers["Subject"] ?? "",
            Body: m.MessageParts.FirstOrDefault()?.BodyData ?? "")).ToList();
        Smtp.ClearReceivedEmail();
        return mails;
    }

    protected async Task<InventoryVm> RequesterVmAsync(int index = 0) => await Portal.Db(db =>
        db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == RequesterApp) && v.PowerState == PowerState.On)
            .OrderBy(v => v.Name).Skip(index).FirstAsync());

    protected async Task<RequestSummary> SubmitAsync(InventoryVm vm, bool encrypted = true)
    {
        var target = await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync());
        return await Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "Host firmware update", RequireEncryption: encrypted)));
    }

    protected Task SetPolicyAsync(params SetApprovalRules.Rule[] rules) => Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin, rules));

    [Fact]
    public async Task ApprovalNeeded_MailsOnlyTheApproversOfTheRulesGroup_NeverTheRequester()
    {
        await KnowEveryoneAsync();
        await SetPolicyAsync(new SetApprovalRules.Rule("prod needs its approvers", ApprovalOutcome.RequireApprovals, 1, ProdApprovers));
        var vm = await RequesterVmAsync();
        var request = await SubmitAsync(vm);
        Assert.Equal(RequestState.PendingApproval, request.State);

        var outcome = await SendAsync();

        Assert.True(outcome.HeldLease);
        var mail = Assert.Single(TakeMail());
        Assert.Equal(AnnaMail, mail.To);
        Assert.Contains("Approval needed", mail.Subject);
        Assert.Contains(vm.Name, mail.Subject);
        Assert.Contains($"{PortalUrl}/requests/{request.Id}", mail.Body);
        Assert.Contains("Host firmware update", mail.Body);

        // Nothing new happened: a second run sends nothing again.
        await SendAsync();
        Assert.Empty(TakeMail());
    }

    [Fact]
    public async Task ApprovalNeeded_WithoutAGroup_MailsEveryApproverButTheRequester()
    {
        await KnowEveryoneAsync();
        await SubmitAsync(await RequesterVmAsync());
        await SendAsync();
        Assert.Equal([AnnaMail, BenMail], TakeMail().Select(m => m.To).Order());
    }

    [Fact]
    public async Task Batch_GetsOneMailPerPerson_ListingEveryMove()
    {
        await KnowEveryoneAsync();
        var vms = new List<InventoryVm>();
        for (var i = 0; i < 3; i++) vms.Add(await RequesterVmAsync(i));
        var items = new List<SubmitBatch.Item>();
        foreach (var vm in vms)
            items.Add(new SubmitBatch.Item(vm.Id, MigrationKind.Compute, true,
                await Portal.Db(db => db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync()), null));
        var batch = await Portal.Scoped<SubmitBatch, BatchView>(u => u.HandleAsync(Requester, new SubmitBatch.Command("payments rack move", "Rack decommission", items)));
        await SendAsync();

        var asks = TakeMail();
        Assert.Equal([AnnaMail, BenMail], asks.Select(m => m.To).Order());
        Assert.All(asks, m =>
        {
            Assert.Contains("Approval needed: 3 moves in batch 'payments rack move'", m.Subject);
            Assert.All(vms, vm => Assert.Contains(vm.Name, m.Body));
            Assert.All(batch.Requests, r => Assert.Contains($"{PortalUrl}/requests/{r.Id}", m.Body));
        });

        await Portal.Scoped<DecideBatch, IReadOnlyList<DecideBatch.Outcome>>(u => u.HandleAsync(Approver2, new DecideBatch.Command(batch.Id, "Go ahead"), Verdict.Approve));
        await SendAsync();
        var approved = Assert.Single(TakeMail());
        Assert.Equal(RitaMail, approved.To);
        Assert.Contains("Approved: 3 moves in batch", approved.Subject);
    }

    [Fact]
    public async Task ApprovedAndRejected_MailTheRequesterOnly()
    {
        await KnowEveryoneAsync();
        var approved = await SubmitAsync(await RequesterVmAsync(0));
        var rejected = await SubmitAsync(await RequesterVmAsync(1));
        await SendAsync();
        TakeMail();

        await Portal.Scoped<ApproveRequest, RequestSummary>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(approved.Id, "Fine by me")));
        await Portal.Scoped<RejectRequest, RequestSummary>(u => u.HandleAsync(Approver2, new RejectRequest.Command(rejected.Id, "Not during quarter close")));
        await SendAsync();

        var mails = TakeMail();
        Assert.All(mails, m => Assert.Equal(RitaMail, m.To));
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.Subject.StartsWith("[Demo] Approved:", StringComparison.Ordinal) && m.Body.Contains($"/requests/{approved.Id}"));
        var no = Assert.Single(mails, m => m.Subject.StartsWith("[Demo] Rejected:", StringComparison.Ordinal));
        Assert.Contains("Not during quarter close", no.Body);
    }

    [Fact]
    public async Task StartedAndSucceeded_MailTheRequesterAndEveryOperator()
    {
        await KnowEveryoneAsync();
        await SetPolicyAsync(new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove));
        var request = await SubmitAsync(await RequesterVmAsync());
        await SendAsync();
        Assert.Equal([RitaMail], TakeMail().Where(m => m.Subject.Contains("Approved:")).Select(m => m.To));

        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
        Assert.Equal(RequestState.Succeeded, await Portal.Db(db => db.Requests.Where(r => r.Id == request.Id).Select(r => r.State).FirstAsync()));
        await SendAsync();

        var mails = TakeMail();
        Assert.Equal([OlgaMail, OscarMail, RitaMail], mails.Where(m => m.Subject.Contains("Started:")).Select(m => m.To).Order());
        Assert.Equal([OlgaMail, OscarMail, RitaMail], mails.Where(m => m.Subject.Contains("Succeeded:")).Select(m => m.To).Order());
        Assert.DoesNotContain(mails, m => m.To is AnnaMail or BenMail or AdamMail);
    }

    [Fact]
    public async Task Failed_MailsTheRequesterAndOperators_WithTheReason()
    {
        await KnowEveryoneAsync();
        await SetPolicyAsync(new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove));
        // Unencrypted without an administrator's policy: the precheck blocks it and the request fails with the reason. (The
        // demo connection records a policy that allows it, for the demo's conversions; this test takes it away.)
        var vm = await RequesterVmAsync();
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            (await db.Connections.FirstAsync(c => c.Id == vm.ConnectionId)).AllowUnencryptedMigration = false;
            await db.SaveChangesAsync();
        });
        var request = await SubmitAsync(vm, encrypted: false);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request.Id));
        Assert.Equal(RequestState.Failed, await Portal.Db(db => db.Requests.Where(r => r.Id == request.Id).Select(r => r.State).FirstAsync()));
        await SendAsync();

        var failed = TakeMail().Where(m => m.Subject.Contains("Failed:")).ToList();
        Assert.Equal([OlgaMail, OscarMail, RitaMail], failed.Select(m => m.To).Order());
        Assert.All(failed, m => Assert.Contains("Unencrypted migration is not allowed", m.Body));
    }

    [Fact]
    public async Task Deferred_MailsTheRequesterAndOperators_WithTheReason()
    {
        await KnowEveryoneAsync();
        var request = await SubmitAsync(await RequesterVmAsync());
        await SendAsync();
        TakeMail();

        // The dispatcher records a deferral like this when a migration would not fit in what remains of its window.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            var r = await db.Requests.FirstAsync(x => x.Id == request.Id);
            AuditLog.ForRequest(db, Portal.Time.GetUtcNow(), MigrationPortal.Domain.Common.Actor.System, AuditActions.RequestDeferred, r,
                new { reason = "Estimated 40 min does not fit the 25 min left in window 'Sunday night'.", nextStart = "2026-11-29T22:00:00Z" });
            await db.SaveChangesAsync();
        });
        await SendAsync();

        var mails = TakeMail();
        Assert.Equal([OlgaMail, OscarMail, RitaMail], mails.Select(m => m.To).Order());
        Assert.All(mails, m => Assert.Contains("Deferred:", m.Subject));
        Assert.All(mails, m => Assert.Contains("does not fit the 25 min left", m.Body));
    }

    [Fact]
    public async Task Mail_IsOff_WhenSmtpHostIsNotConfigured()
    {
        await KnowEveryoneAsync(startMailer: false);
        await SubmitAsync(await RequesterVmAsync());

        // A node with every SMTP setting but the host, pointing at the same server: it must send nothing.
        await using (var off = await PortalHarness.StartAsync(Provider, ConnectionString, settings: SmtpSettings(Smtp.Configuration.Port, host: null)))
        {
            var outcome = await SendAsync(off);
            Assert.False(outcome.HeldLease);
            Assert.Equal(0, outcome.MailsSent);
        }

        Assert.Empty(TakeMail());
        Assert.Equal(0, await Portal.Db(db => db.NotificationCursors.CountAsync()));

        // The same events, with SMTP configured, do produce mail: the silence above was the switch, not a lack of events.
        // The cursor starts at the end of the trail when email is first turned on, so submit one more request.
        await SendAsync();
        await SubmitAsync(await RequesterVmAsync(1));
        await SendAsync();
        Assert.Equal([AnnaMail, BenMail], TakeMail().Select(m => m.To).Order());
    }

    [Fact]
    public async Task Cursor_StartsAtTheEndOfTheTrail_SoTurningMailOnDoesNotSendHistory()
    {
        await KnowEveryoneAsync(startMailer: false);
        await SubmitAsync(await RequesterVmAsync());
        var head = await Portal.Db(db => db.AuditEvents.MaxAsync(e => e.Sequence));
        Assert.Equal(0, await Portal.Db(db => db.NotificationCursors.CountAsync()));

        // The first run ever: it creates the cursor at the current head. Events after it are mailed.
        var first = await SendAsync();
        Assert.Equal(0, first.MailsSent);
        Assert.Equal(head, await Portal.Db(db => db.NotificationCursors.Select(c => c.LastSequence).SingleAsync()));
        Assert.Empty(TakeMail());

        await SubmitAsync(await RequesterVmAsync(1));
        var second = await SendAsync();
        Assert.Equal(2, second.MailsSent);
        Assert.Null(await Portal.Db(db => db.NotificationCursors.Select(c => c.LeaseOwner).SingleAsync()));
    }
}

public sealed class SqliteNotificationTests() : NotificationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlNotificationTests() : NotificationTests(DatabaseProvider.PostgreSql)
{
    [Fact]
    public async Task TwoSenders_OnOnePostgreSql_SendEachMailOnce()
    {
        await KnowEveryoneAsync();
        await SetPolicyAsync(new SetApprovalRules.Rule("auto", ApprovalOutcome.AutoApprove));

        var requests = new List<RequestSummary>();
        for (var i = 0; i < 6; i++) requests.Add(await SubmitAsync(await RequesterVmAsync(i)));

        // A second portal node on the same database; both mailers race, several times over.
        await using var other = await PortalHarness.StartAsync(Provider, ConnectionString, settings: Settings);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => SendAsync(i % 2 == 0 ? Portal : other))));

        var mails = TakeMail();
        Assert.Equal(6, mails.Count);
        Assert.All(mails, m => Assert.Equal(RitaMail, m.To));
        Assert.Equal(6, mails.Select(m => m.Body).Distinct().Count());
        Assert.All(requests, r => Assert.Single(mails, m => m.Body.Contains($"/requests/{r.Id}")));
        Assert.Equal(6, outcomes.Sum(o => o.MailsSent));
    }
}
