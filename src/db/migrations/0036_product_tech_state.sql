-- The technical state of a catalogue product (R-ORD-4; modules/catalogue.c, orders.c): its current
-- design / specification revision as people name it ("B版：叶轮改为 304 不锈钢"). A change is announced
-- to the customers with open orders or recent deliveries of the product (tasks of their owners).
ALTER TABLE products ADD COLUMN tech_state TEXT;
