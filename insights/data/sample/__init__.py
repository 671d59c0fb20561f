"""A deterministic, vectorised generator of realistic sample data for a UK card bank.

It produces the three tables of ``data_contracts/`` — transactions, customers and support
contacts — and a *truth* dictionary describing the stories planted in them, so that the
reports built on top can be tested end to end::

    sample_data(...)      -> SampleData(transactions, customers, contacts, truth)   pure
    sample_frames(...)    -> {"transactions": ..., "customers": ..., "contacts": ...} pure
    write_sample(out_dir) -> truth                                                 writes files

What makes it look like a bank's data rather than noise:

* ten UK cities of different sizes; customers live (and mostly spend) in one of them;
* chains (one ``merchant_group_id``, many locations), independent places (one location) and
  online merchants (``merchant_city`` null); favourite places, hence repeat customers;
* weekly, yearly, payday (last working day of the month) and bank-holiday patterns, a near
  empty Christmas Day in shops, local (Europe/London) hours of day stored in UTC;
* a growing customer base with account closures, subscriptions, refunds and holiday spending
  abroad in EUR/USD;
* support contacts following the open-account base, with weekly and yearly seasonality,
  channel opening hours, catch-up after bank holidays and incident days.

Planted stories (all recorded in the truth dictionary): trending independent places and five
kinds of decoy in the three largest cities, a one-day spike at a cinema chain, rival coffee
and bakery chains whose favourite differs by region, and contact incidents.

Same arguments, same frames: everything random comes from one
``numpy.random.default_rng(seed)``, drawn in a fixed order (:func:`sample_data`).

One module per table: :mod:`.merchants`, :mod:`.customers`, :mod:`.transactions`,
:mod:`.contacts`, the planted stories in :mod:`.stories`, and the calendar and helpers they share
in :mod:`.base`; :mod:`.generate` runs them in order and writes the files.
"""

from insights.data.sample.base import CATEGORIES, CITIES, CONTACT_TAGS, TZ
from insights.data.sample.generate import SampleData, sample_data, sample_frames, write_sample

__all__ = [
    "CATEGORIES",
    "CITIES",
    "CONTACT_TAGS",
    "TZ",
    "SampleData",
    "sample_data",
    "sample_frames",
    "write_sample",
]
