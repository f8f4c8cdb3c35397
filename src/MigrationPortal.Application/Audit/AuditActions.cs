namespace MigrationPortal.Application.Audit;

/// <summary>The audit trail's action names. Stable strings: auditors filter and script on them.</summary>
public static class AuditActions
{
    public const string RequestSubmitted = "request.submitted";
    public const string RequestTransition = "request.transition";
    public const string RequestApproved = "request.approved";
    public const string RequestRejected = "request.rejected";
    public const string RequestCancelRequested = "request.cancel-requested";
    public const string RequestExpired = "request.expired";

    /// <summary>The dispatcher moved a due request to a later start (its estimate does not fit in what remains of the window, or a blackout); details carry the reason and the new start.</summary>
    public const string RequestDeferred = "request.deferred";
    public const string HostEvacuationSubmitted = "host.evacuation-submitted";

    /// <summary>An Operator accepted a balance or consolidation recommendation; details carry the group, strategy, fingerprint and moves.</summary>
    public const string RecommendationAccepted = "optimize.recommendation-accepted";
    public const string JobStep = "job.step";
    public const string JobProgress = "job.progress";
    public const string ConfigChanged = "config.changed";
    public const string SignIn = "auth.sign-in";
    public const string SignInFailed = "auth.sign-in-failed";

    /// <summary>One summary per client address and interval of the sign-in attempts the rate limiter dropped.</summary>
    public const string SignInThrottled = "auth.sign-in-throttled";
    public const string SignOut = "auth.sign-out";
    public const string AccessDenied = "auth.access-denied";
    public const string AuditExported = "audit.exported";
    public const string AuditVerified = "audit.verified";

    /// <summary>
    /// Written by the portal itself when it finds rows past the recorded chain head (inserted out of band): it seals after
    /// them and names them here, so the trail keeps working and an auditor is told. See docs/architecture.md.
    /// </summary>
    public const string ChainAnomaly = "audit.chain-anomaly";
    public const string InventorySynced = "inventory.synced";

    /// <summary>A sync was queued at once: by an Operator's "Sync now", or by the portal for a connection just added.</summary>
    public const string InventorySyncRequested = "inventory.sync-requested";

    /// <summary>The hypervisor refused a cancel of a running transfer as many times as the portal tries; details carry its reason.</summary>
    public const string RequestCancelRefused = "request.cancel-refused";
    public const string UserCreated = "user.created";
    public const string ConnectionTested = "connection.tested";
    public const string CalendarFeedCreated = "calendar.feed-created";

    /// <summary>A personal access token was created; details carry its name, visible prefix, roles and expiry (never the secret).</summary>
    public const string AccessTokenCreated = "access-token.created";

    /// <summary>A personal access token was revoked, by its owner or an Administrator.</summary>
    public const string AccessTokenRevoked = "access-token.revoked";

    /// <summary>A call made with a personal access token: every call that changes something, reads at most once an hour per token.</summary>
    public const string AccessTokenUsed = "access-token.used";

    /// <summary>An Administrator created or edited a network or storage map; details carry its entries as saved.</summary>
    public const string MapSaved = "map.saved";

    /// <summary>An Administrator deleted a network or storage map; details carry the entries it held.</summary>
    public const string MapDeleted = "map.deleted";

    /// <summary>A verified move started its post-move watch; details carry its end and the "before" period.</summary>
    public const string RequestWatchStarted = "request.watch-started";

    /// <summary>A post-move watch ended with no regression, or without enough data; details carry the result and the figures.</summary>
    public const string RequestWatchEnded = "request.watch-ended";

    /// <summary>A post-move watch found a clear regression; details carry the figures. The mailer and the bell tell people.</summary>
    public const string RequestWatchRegressed = "request.watch-regressed";

    /// <summary>Someone asked to move a VM back after its watch found a regression; details carry the new request.</summary>
    public const string RequestMoveBackRequested = "request.move-back-requested";
}
