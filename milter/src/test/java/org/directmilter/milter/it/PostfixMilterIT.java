package org.directmilter.milter.it;

/** Our milter server behind a real Postfix: replies reach the SMTP client, changes reach the sink. */
class PostfixMilterIT extends MilterBehindMta {

    @Override
    Mta startMta(RunningMilter milter) {
        return PostfixInstance.start(milter.postfixSocket());
    }
}
