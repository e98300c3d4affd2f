using Letterbox.Net.Auth;
using Letterbox.Pop3.Protocol;

namespace Letterbox.Pop3;

internal sealed partial class Pop3Session
{
    /// <summary>
    /// CAPA (RFC 2449 §5). What is listed depends on the state: STLS only while it can be used,
    /// USER and SASL only while a password may be sent (RFC 2595 §2.2), and after login the
    /// account's own EXPIRE policy (before login, "USER" when it varies per user, §6.7).
    /// </summary>
    private Flow Capa()
    {
        var output = Output;
        Pop3Reply.Ok(output, "Capability list follows");
        Pop3Reply.Line(output, "TOP");
        Pop3Reply.Line(output, "UIDL");
        Pop3Reply.Line(output, "RESP-CODES");
        Pop3Reply.Line(output, "AUTH-RESP-CODE");
        Pop3Reply.Line(output, "PIPELINING");
        Pop3Reply.Line(output, "UTF8 USER");
        if (_state is TransactionState transaction)
        {
            Pop3Reply.Line(output, ExpireCapability(transaction.Maildrop.Settings.DeleteOnRetrieve == true, perUser: false));
            Pop3Reply.Line(output, $"LOGIN-DELAY {Math.Max(0, Options.Pop3.LoginDelaySeconds)}");
        }
        else
        {
            var varies = Options.Pop3.Overrides.Values.Any(o => o.DeleteOnRetrieve is not null && o.DeleteOnRetrieve != Options.Pop3.DeleteOnRetrieve);
            Pop3Reply.Line(output, ExpireCapability(Options.Pop3.DeleteOnRetrieve, varies));
            Pop3Reply.Line(output, $"LOGIN-DELAY {Math.Max(0, Options.Pop3.LoginDelaySeconds)}");
            if (PlaintextAuthPolicy.Allows(Options.Auth, _connection))
            {
                Pop3Reply.Line(output, "USER");
                Pop3Reply.Line(output, "SASL " + string.Join(' ', SaslExchange.Mechanisms));
            }
            if (_connection.CanStartTls)
            {
                Pop3Reply.Line(output, "STLS");
            }
        }
        Pop3Reply.Line(output, "IMPLEMENTATION Letterbox");
        Pop3Reply.End(output);
        return Flow.Continue;
    }

    /// <summary>RFC 2449 §6.7: "EXPIRE 0" when retrieved messages are deleted, "EXPIRE NEVER" otherwise.</summary>
    private static string ExpireCapability(bool deleteOnRetrieve, bool perUser)
        => (deleteOnRetrieve ? "EXPIRE 0" : "EXPIRE NEVER") + (perUser ? " USER" : "");
}
