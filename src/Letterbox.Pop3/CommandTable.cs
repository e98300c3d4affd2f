using Letterbox.Pop3.Protocol;

namespace Letterbox.Pop3;

/// <summary>The states of RFC 1939 §3 in which a command may be given.</summary>
[Flags]
public enum Pop3States
{
    None = 0,
    Authorization = 1,
    Transaction = 2,
}

/// <summary>
/// Each command registered once with the states it is allowed in (RFC 1939 §4-7, RFC 2449 §5,
/// RFC 2595 §4, RFC 5034 §4, RFC 6856 §2.1). The session refuses a command outside its states
/// before running it.
/// </summary>
public static class CommandTable
{
    public static IReadOnlyDictionary<Pop3Verb, Pop3States> AllowedStates { get; } = new Dictionary<Pop3Verb, Pop3States>
    {
        [Pop3Verb.Capa] = Pop3States.Authorization | Pop3States.Transaction,
        [Pop3Verb.Quit] = Pop3States.Authorization | Pop3States.Transaction,
        [Pop3Verb.User] = Pop3States.Authorization,
        [Pop3Verb.Pass] = Pop3States.Authorization,
        [Pop3Verb.Auth] = Pop3States.Authorization,
        [Pop3Verb.Stls] = Pop3States.Authorization,
        [Pop3Verb.Utf8] = Pop3States.Authorization,
        [Pop3Verb.Stat] = Pop3States.Transaction,
        [Pop3Verb.List] = Pop3States.Transaction,
        [Pop3Verb.Retr] = Pop3States.Transaction,
        [Pop3Verb.Dele] = Pop3States.Transaction,
        [Pop3Verb.Noop] = Pop3States.Transaction,
        [Pop3Verb.Rset] = Pop3States.Transaction,
        [Pop3Verb.Top] = Pop3States.Transaction,
        [Pop3Verb.Uidl] = Pop3States.Transaction,
    };

    public static bool IsAllowed(Pop3Verb verb, Pop3States state)
        => AllowedStates.TryGetValue(verb, out var states) && (states & state) != 0;
}
